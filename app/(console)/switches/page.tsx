import { EndSwitchForm } from "@/components/switches/end-switch-form";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Cell, Row, Table } from "@/components/ui/table";
import { formatCustomerId } from "@/lib/customers/ids";
import { listOpenSwitches } from "@/lib/switches/queries";
import { dateTime as time } from "@/components/ui/format";
import { platformPage } from "@/lib/auth/pages";

export const dynamic = "force-dynamic";
export const metadata = { title: "Switches" };

export default async function SwitchesPage() {
  const { data: open } = await platformPage(
    { permission: "switches.start", action: "switches.list" },
    (tx) => listOpenSwitches(tx),
  );
  const now = new Date();
  return (
    <>
      <PageHeader
        title="Switches"
        description="Super-admins inside a customer's context right now. Any super-admin may end one, with a reason."
      />
      {open.length === 0 ? (
        <EmptyState title="No one is switched into a customer" />
      ) : (
        <div className="rounded-lg border border-slate-200 bg-white">
          <Table headers={["Super-admin", "Customer", "Mode", "Reason", "Until (UTC)", ""]}>
            {open.map((s) => (
              <Row key={s.id}>
                <Cell>{s.superAdminEmail}</Cell>
                <Cell>
                  {s.customerName}{" "}
                  <span className="font-mono text-xs">({formatCustomerId(s.tenantId)})</span>
                </Cell>
                <Cell>{s.mode}</Cell>
                <Cell>{s.reason}</Cell>
                <Cell>
                  {s.expiresAt <= now
                    ? "expired (ends at their next request)"
                    : time.format(s.expiresAt)}
                </Cell>
                <Cell>
                  <EndSwitchForm switchId={s.id} who={s.superAdminEmail} />
                </Cell>
              </Row>
            ))}
          </Table>
        </div>
      )}
    </>
  );
}
