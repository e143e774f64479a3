import "server-only";
import { and, asc, count, desc, eq, gt, inArray, isNull, lt } from "drizzle-orm";
import { customers, invites, memberships, sessions, users } from "@/db/schema";
import { PLANNED_PER_CALL, type Tx } from "@/db/tenant";
import {
  keysetPage,
  listTotal,
  newestFirst,
  totalQueries,
  type KeysetPage,
} from "@/lib/lists/keyset";
import {
  INVITES_PER_PAGE,
  MEMBERS_PER_PAGE,
  type InviteCursor,
  type MemberCursor,
} from "./schemas";

/**
 * A page of the customer's users by address, from `cursor` (keyset), and how many there are (the
 * count the memberships' triggers keep on the customer). By the address's key (users.email_key,
 * unique and indexed): for a large customer the page walks that index from the cursor, probing
 * each user's membership, instead of sorting every one of its users; for a small one it sorts
 * its few. Which of the two depends on the customer, so the statement is planned per call
 * (PLANNED_PER_CALL). A cursor made on another customer's list only says where to start in this
 * one: the rows are always this customer's.
 */
export async function listMembers(
  tx: Tx,
  tenantId: string,
  cursor?: MemberCursor,
  size = MEMBERS_PER_PAGE,
): Promise<KeysetPage<Member>> {
  const page = keysetPage(
    await memberPageQuery(tx, tenantId, cursor, size),
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

/** The statement behind a page of listMembers: one more row than the page, each with its key. */
export function memberPageQuery(
  tx: Tx,
  tenantId: string,
  cursor: MemberCursor | undefined,
  size: number,
) {
  const back = cursor?.towards === "previous";
  return tx
    .select({ ...memberColumns, key: users.emailKey })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.tenantId, tenantId),
        cursor ? (back ? lt : gt)(users.emailKey, cursor.email) : undefined,
        PLANNED_PER_CALL,
      ),
    )
    .orderBy(back ? desc(users.emailKey) : asc(users.emailKey))
    .limit(size + 1);
}

/** The customer's user with this address (lower-cased), if there is one. */
export function memberByAddress(tx: Tx, tenantId: string, email: string) {
  return tx
    .select({ id: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(users.emailKey, email)));
}

const memberColumns = {
  id: users.id,
  email: users.email,
  displayName: users.displayName,
  role: memberships.role,
  since: memberships.createdAt,
  status: users.status,
};
/** A row of these columns, as drizzle reads it. */
type RowOf<Columns extends Record<string, { _: { data: unknown } }>> = {
  [K in keyof Columns]: Columns[K]["_"]["data"];
};
export type Member = RowOf<typeof memberColumns>;

/**
 * A page of the customer's open invitations (neither accepted, withdrawn nor expired at `now`),
 * the latest to expire first, from `cursor`, and how many there are. Every invitation lives
 * INVITE_TTL_HOURS, so that is also the newest first. One range of the open invitations' index
 * (invites_open_expires_idx): the customer's accepted, withdrawn and expired ones are not read.
 */
export async function listPendingInvites(
  tx: Tx,
  tenantId: string,
  now: Date,
  cursor?: InviteCursor,
  size = INVITES_PER_PAGE,
): Promise<KeysetPage<PendingInvite>> {
  const keyset = newestFirst(invites.expiresAt, invites.id, "uuid", cursor);
  const open = openInvitesOf(tenantId, now);
  const fetched = await tx
    .select({ ...inviteColumns, key: keyset.key })
    .from(invites)
    .where(and(open, keyset.after))
    .orderBy(...keyset.order)
    .limit(size + 1);
  const page = keysetPage(
    fetched,
    size,
    cursor,
    (row, position) => ({ ...position, at: row.key, id: row.id }) satisfies InviteCursor,
  );
  if (!page) return listPendingInvites(tx, tenantId, now, undefined, size);
  return { ...page, total: await listTotal(tx, totalQueries(tx, invites, open)) };
}

/**
 * The customer's invitations still open at `now`: neither accepted nor withdrawn (the rows of
 * invites_open_expires_idx and invites_open_email_idx), and not expired.
 */
export function openInvitesOf(tenantId: string, now: Date) {
  return and(
    eq(invites.tenantId, tenantId),
    isNull(invites.acceptedAt),
    isNull(invites.revokedAt),
    gt(invites.expiresAt, now),
  );
}

const inviteColumns = {
  id: invites.id,
  email: invites.email,
  role: invites.role,
  createdAt: invites.createdAt,
  expiresAt: invites.expiresAt,
};
export type PendingInvite = RowOf<typeof inviteColumns>;

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
    .where("id" in by ? eq(users.id, by.id) : eq(users.emailKey, by.email.toLowerCase()));
  return user ?? null;
}
