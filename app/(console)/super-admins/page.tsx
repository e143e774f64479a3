import { EmptyState } from "@/components/ui/empty-state";
import { dateTime } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Cell, Row, Table } from "@/components/ui/table";
import { platformPage } from "@/lib/auth/pages";
import { listSuperAdmins } from "@/lib/auth/super-admins";

export const dynamic = "force-dynamic";
export const metadata = { title: "Super-admins" };

/** Who holds platform power. New ones come from `npm run auth -- create-admin` (audited). */
export default async function SuperAdminsPage() {
  const { data: admins } = await platformPage(
    { permission: "super-admins.read", action: "super-admins.list" },
    (tx) => listSuperAdmins(tx),
  );
  return (
    <>
      <PageHeader
        title="Super-admins"
        description="Everyone with power over every customer. A new one is made on the server with npm run auth -- create-admin, and audited."
      />
      {admins.length === 0 ? (
        <EmptyState title="No super-admins" />
      ) : (
        <div className="rounded-lg border border-slate-200 bg-white">
          <Table
            headers={[
              "Email",
              "Name",
              "Status",
              "Two-factor",
              "Last signed in (UTC)",
              "Since (UTC)",
            ]}
          >
            {admins.map((a) => (
              <Row key={a.id}>
                <Cell>{a.email}</Cell>
                <Cell>{a.displayName}</Cell>
                <Cell>{a.status}</Cell>
                <Cell>
                  {a.twoFactorSince
                    ? `on since ${dateTime.format(a.twoFactorSince)}`
                    : "not set up"}
                </Cell>
                <Cell>{a.lastSignIn ? dateTime.format(a.lastSignIn) : "never"}</Cell>
                <Cell>{dateTime.format(a.createdAt)}</Cell>
              </Row>
            ))}
          </Table>
        </div>
      )}
    </>
  );
}
