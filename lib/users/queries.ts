import "server-only";
import { and, asc, count, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { invites, memberships, sessions, users } from "@/db/schema";
import type { Tx } from "@/db/tenant";

export function listMembers(tx: Tx, tenantId: string) {
  return tx
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      role: memberships.role,
      since: memberships.createdAt,
      status: users.status,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(asc(users.email));
}

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

/** How many sessions each of `tenantId`'s users has open. */
export async function openSessionCounts(tx: Tx, tenantId: string): Promise<Map<string, number>> {
  const rows = await tx
    .select({ userId: sessions.userId, open: count() })
    .from(sessions)
    .where(and(eq(sessions.tenantId, tenantId), isNull(sessions.endedAt)))
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
