import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Cell, Row, Table } from "@/components/ui/table";
import { InviteForm } from "@/components/users/invite-form";
import { MemberActions } from "@/components/users/member-actions";
import { RevokeInviteButton } from "@/components/users/revoke-invite-button";
import { RequireTwoFactorForm } from "@/components/users/require-two-factor-form";
import { customers } from "@/db/schema";
import { ListPages } from "@/components/ui/page-link";
import { listMembers, listPendingInvites, openSessionCounts } from "@/lib/users/queries";
import { memberPageSchema } from "@/lib/users/schemas";
import { dateTime } from "@/components/ui/format";
import { tenantPage } from "@/lib/auth/pages";
import Link from "next/link";
import { redirect } from "next/navigation";
import { pastTheLastRow } from "@/lib/lists/keyset";
import { eq } from "drizzle-orm";

export const dynamic = "force-dynamic";
export const metadata = { title: "Users" };

export default async function UsersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const params = await searchParams;
  const { cursor, invites } = memberPageSchema.parse(params);
  const {
    ctx,
    data: [list, pending, sessionCounts, requireTwoFactor],
  } = await tenantPage(
    { permission: "users.manage", action: "users.list" },
    async (tx, { customer }) => {
      const members = await listMembers(tx, customer.id, cursor);
      return [
        members,
        await listPendingInvites(tx, customer.id, new Date(), invites),
        await openSessionCounts(
          tx,
          customer.id,
          members.rows.map((m) => m.id),
        ),
        (
          await tx
            .select({ on: customers.requireTwoFactor })
            .from(customers)
            .where(eq(customers.id, customer.id))
        )[0]?.on ?? false,
      ] as const;
    },
  );
  const members = list.rows;
  // Each list's pager keeps where the other list is.
  const href = (change: { cursor?: string | null; invites?: string | null }) => {
    const query = new URLSearchParams();
    for (const name of ["cursor", "invites"] as const) {
      const value = name in change ? change[name] : params[name];
      if (typeof value === "string" && value) query.set(name, value);
    }
    return query.size ? `/users?${query}` : "/users";
  };
  if (pastTheLastRow(list)) redirect(href({ cursor: null }));
  if (pastTheLastRow(pending)) redirect(href({ invites: null }));
  return (
    <>
      <PageHeader
        title="Users"
        description={`Who can sign in to the console for ${ctx.customer.name}.`}
      />
      <div className="space-y-6">
        <section
          aria-labelledby="members-heading"
          className="rounded-lg border border-slate-200 bg-white"
        >
          <h2
            id="members-heading"
            className="border-b border-slate-200 px-4 py-3 text-sm font-medium"
          >
            Members ({list.total.count.toLocaleString("en")})
          </h2>
          <Table headers={["Name", "Email", "Role", "Open sessions", ""]}>
            {members.map((m) => (
              <Row key={m.id}>
                <Cell>
                  <Link href={`/users/${m.id}`} className="text-indigo-700 underline">
                    {m.displayName}
                  </Link>
                  {m.status !== "active" && (
                    <span className="ml-2 text-xs text-red-700">suspended</span>
                  )}
                </Cell>
                <Cell>{m.email}</Cell>
                <Cell>{m.role}</Cell>
                <Cell>{sessionCounts.get(m.id) ?? 0}</Cell>
                <Cell>
                  <MemberActions userId={m.id} email={m.email} role={m.role} />
                </Cell>
              </Row>
            ))}
          </Table>
          <ListPages list={list} href={(c) => href({ cursor: c })} />
        </section>

        <section aria-labelledby="invites-heading">
          <h2 id="invites-heading" className="mb-2 text-sm font-medium">
            Open invitations
            {pending.rows.length > 0 && ` (${pending.total.count.toLocaleString("en")})`}
          </h2>
          {pending.rows.length === 0 ? (
            <EmptyState title="No open invitations" />
          ) : (
            <div className="rounded-lg border border-slate-200 bg-white">
              <Table headers={["Email", "Role", "Expires (UTC)", ""]}>
                {pending.rows.map((invite) => (
                  <Row key={invite.id}>
                    <Cell>{invite.email}</Cell>
                    <Cell>{invite.role}</Cell>
                    <Cell>{dateTime.format(invite.expiresAt)}</Cell>
                    <Cell>
                      <RevokeInviteButton inviteId={invite.id} email={invite.email} />
                    </Cell>
                  </Row>
                ))}
              </Table>
              <ListPages
                list={pending}
                href={(c) => href({ invites: c })}
                label="Pages of open invitations"
              />
            </div>
          )}
        </section>

        <InviteForm />

        <RequireTwoFactorForm required={requireTwoFactor} />
      </div>
    </>
  );
}
