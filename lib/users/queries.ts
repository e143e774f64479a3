import "server-only";
import { and, asc, desc, eq, gt, isNull } from "drizzle-orm";
import { invites, memberships, users } from "@/db/schema";
import type { Tx } from "@/db/tenant";

export function listMembers(tx: Tx, tenantId: string) {
  return tx
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      role: memberships.role,
      since: memberships.createdAt,
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
