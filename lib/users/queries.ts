import "server-only";
import { and, asc, count, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { customers, invites, memberships, sessions, users } from "@/db/schema";
import { PLANNED_PER_CALL, type Tx } from "@/db/tenant";
import { keysetPage, type KeysetPage } from "@/lib/lists/keyset";
import { MEMBERS_PER_PAGE, type MemberCursor } from "./schemas";

/**
 * A page of the customer's users by email, from `cursor` (keyset), and how many there are (the
 * count the memberships' triggers keep on the customer). By `lower(email)`, which is unique and
 * indexed (users_email_key): for a large customer the page walks that index, probing each user's
 * membership, instead of sorting every one of its users; for a small one it sorts its few. Which
 * of the two depends on the customer, so the statement is planned per call (PLANNED_PER_CALL). A cursor made on another customer's list only
 * says where to start in this one: the rows are always this customer's.
 */
export async function listMembers(
  tx: Tx,
  tenantId: string,
  cursor?: MemberCursor,
  size = MEMBERS_PER_PAGE,
): Promise<KeysetPage<Member>> {
  const back = cursor?.towards === "previous";
  const key = sql<string>`lower(${users.email})`;
  const fetched = await tx
    .select({ ...memberColumns, key })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.tenantId, tenantId),
        cursor ? sql`${key} ${sql.raw(back ? "<" : ">")} ${cursor.email}` : undefined,
        PLANNED_PER_CALL,
      ),
    )
    .orderBy(back ? desc(key) : asc(key))
    .limit(size + 1);
  const page = keysetPage(
    fetched,
    size,
    cursor,
    (row, position) => ({ ...position, email: row.key }) satisfies MemberCursor,
  );
  if (!page) return listMembers(tx, tenantId, undefined, size);
  const [counted] = await tx
    .select({ count: customers.userCount })
    .from(customers)
    .where(eq(customers.id, tenantId));
  return { ...page, total: { count: counted?.count ?? 0, exact: true } };
}

const memberColumns = {
  id: users.id,
  email: users.email,
  displayName: users.displayName,
  role: memberships.role,
  since: memberships.createdAt,
  status: users.status,
};
export type Member = {
  [K in keyof typeof memberColumns]: (typeof memberColumns)[K]["_"]["data"];
};

export function listPendingInvites(tx: Tx, tenantId: string, now: Date) {
  return tx
    .select({
      id: invites.id,
      email: invites.email,
      role: invites.role,
      createdAt: invites.createdAt,
      expiresAt: invites.expiresAt,
    })
    .from(invites)
    .where(
      and(
        eq(invites.tenantId, tenantId),
        isNull(invites.acceptedAt),
        isNull(invites.revokedAt),
        gt(invites.expiresAt, now),
      ),
    )
    .orderBy(desc(invites.createdAt));
}

/** One of the customer's users, for its admins' page of them: another customer's is not there. */
export async function memberOf(tx: Tx, tenantId: string, userId: string) {
  const [member] = await tx
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      status: users.status,
      role: memberships.role,
      since: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  return member;
}

/** How many sessions each of `tenantId`'s users `userIds` (a page of them) has open. */
export async function openSessionCounts(
  tx: Tx,
  tenantId: string,
  userIds: string[],
): Promise<Map<string, number>> {
  const rows = await tx
    .select({ userId: sessions.userId, open: count() })
    .from(sessions)
    .where(
      and(
        eq(sessions.tenantId, tenantId),
        inArray(sessions.userId, userIds),
        isNull(sessions.endedAt),
      ),
    )
    .groupBy(sessions.userId);
  return new Map(rows.map((r) => [r.userId, r.open]));
}

/** A console account with its customer (none for a super-admin), by ID or by address; or null. */
export async function findAccount(tx: Tx, by: { id: string } | { email: string }) {
  const [user] = await tx
    .select({ id: users.id, email: users.email, tenantId: memberships.tenantId })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .where(
      "id" in by ? eq(users.id, by.id) : sql`lower(${users.email}) = ${by.email.toLowerCase()}`,
    );
  return user ?? null;
}
