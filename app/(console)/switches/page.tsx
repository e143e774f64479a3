import { EndSwitchForm } from "@/components/switches/end-switch-form";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Cell, Row, Table } from "@/components/ui/table";
import { withPlatform } from "@/db/tenant";
import { requestMeta } from "@/lib/audit/request";
import { requirePage } from "@/lib/auth/pages";
import { formatCustomerId } from "@/lib/customers/ids";
import { listOpenSwitches } from "@/lib/switches/queries";
import { dateTime as time } from "@/components/ui/format";

export const dynamic = "force-dynamic";
export const metadata = { title: "Switches" };

export default async function SwitchesPage() {
  const ctx = await requirePage("switch.start", { action: "switches.list" });
  const open = await withPlatform(
    { userId: ctx.user.id, email: ctx.user.email, platformRole: ctx.platformRole },
    { action: "switches.list", meta: await requestMeta() },
    (tx) => listOpenSwitches(tx),
  );
  const now = new Date();
  return (
    <>
      <PageHeader title="Switches" description="Super-admins inside a customer's context right now. Any super-admin may end one, with a reason." />
      {open.length === 0 ? (
        <EmptyState title="No one is switched into a customer" />
      ) : (
        <div className="rounded-lg border border-slate-200 bg-white">
          <Table headers={["Super-admin", "Customer", "Mode", "Reason", "Until (UTC)", ""]}>
            {open.map((s) => (
              <Row key={s.id}>
                <Cell>{s.superAdminEmail}</Cell>
                <Cell>
                  {s.customerName} <span className="font-mono text-xs">({formatCustomerId(s.tenantId)})</span>
                </Cell>
                <Cell>{s.mode}</Cell>
                <Cell>{s.reason}</Cell>
                <Cell>{s.expiresAt <= now ? "expired (ends at their next request)" : time.format(s.expiresAt)}</Cell>
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
