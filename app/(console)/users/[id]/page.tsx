import { z } from "zod";
import { ResetLinkButton } from "@/components/account/reset-link-button";
import { EndUserSessionsButton } from "@/components/account/session-buttons";
import { dateTime } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Section } from "@/components/ui/section";
import { Cell, Row, Table } from "@/components/ui/table";
import { UserStatusButton } from "@/components/users/user-status-button";
import { tenantPage } from "@/lib/auth/pages";
import { deviceName, listSessions } from "@/lib/auth/sessions";
import { memberOf } from "@/lib/users/queries";

export const dynamic = "force-dynamic";
export const metadata = { title: "User" };

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const userId = z.uuid().safeParse(id).success ? id : null;
  const { data } = await tenantPage(
    { permission: "users.manage", action: "users.view", targetType: "user", targetId: id },
    async (tx, { customer }) => {
      const member = userId ? await memberOf(tx, customer.id, userId) : undefined;
      // Another customer's user is not there: RLS hides their sessions as well.
      return member ? { member, sessions: await listSessions(tx, member.id) } : null;
    },
  );
  const { member, sessions } = data;
  return (
    <>
      <PageHeader
        title={member.displayName}
        description={`${member.email} · ${member.role} · ${member.status === "active" ? "active" : "suspended"}`}
      />
      <div className="space-y-6">
        <Section title="Account">
          <div className="flex flex-wrap items-start gap-3">
            <ResetLinkButton userId={member.id} email={member.email} />
            <EndUserSessionsButton userId={member.id} email={member.email} />
            <UserStatusButton userId={member.id} email={member.email} status={member.status} />
          </div>
        </Section>
        <Section title="Sessions">
          {sessions.length === 0 ? (
            <p className="text-sm text-slate-500">No sign-ins yet.</p>
          ) : (
            <Table
              headers={["Device", "IP address", "Signed in (UTC)", "Last seen (UTC)", "State"]}
            >
              {sessions.map((s) => (
                <Row key={s.id}>
                  <Cell>{deviceName(s.userAgent)}</Cell>
                  <Cell>{s.ip}</Cell>
                  <Cell>{dateTime.format(s.createdAt)}</Cell>
                  <Cell>{dateTime.format(s.lastSeenAt)}</Cell>
                  <Cell>{s.endedAt ? `ended: ${s.endReason}` : "open"}</Cell>
                </Row>
              ))}
            </Table>
          )}
        </Section>
      </div>
    </>
  );
}
