import "server-only";
import { and, desc, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import { auditEvents, customers, invites, switches } from "@/db/schema";
import type { Tx } from "@/db/tenant";

/** Every open switch on the platform, for the super-admins' list. */
export function listOpenSwitches(tx: Tx) {
  return tx
    .select({
      id: switches.id,
      superAdminEmail: switches.superAdminEmail,
      tenantId: switches.tenantId,
      customerName: customers.name,
      reason: switches.reason,
      mode: switches.mode,
      startedAt: switches.startedAt,
      expiresAt: switches.expiresAt,
    })
    .from(switches)
    .innerJoin(customers, eq(customers.id, switches.tenantId))
    .where(isNull(switches.endedAt))
    .orderBy(desc(switches.startedAt));
}

/** Access transparency: platform staff's switches into this customer, with what they did and the invitations they created. */
export async function listAccessesTo(tx: Tx, tenantId: string, limit = 50) {
  const accesses = await tx
    .select()
    .from(switches)
    .where(eq(switches.tenantId, tenantId))
    .orderBy(desc(switches.startedAt))
    .limit(limit);
  const ids = accesses.map((a) => a.id);
  const events = ids.length
    ? await tx
        .select({
          actingAs: auditEvents.actingAs,
          at: auditEvents.at,
          action: auditEvents.action,
          outcome: auditEvents.outcome,
        })
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.tenantId, tenantId),
            isNotNull(auditEvents.actingAs),
            inArray(auditEvents.actingAs, ids),
          ),
        )
        .orderBy(auditEvents.at)
    : [];
  const created = ids.length
    ? await tx
        .select({
          switchId: invites.switchId,
          email: invites.email,
          role: invites.role,
          createdAt: invites.createdAt,
        })
        .from(invites)
        .where(and(eq(invites.tenantId, tenantId), inArray(invites.switchId, ids)))
        .orderBy(invites.createdAt)
    : [];
  return accesses.map((a) => ({
    ...a,
    events: events.filter((e) => e.actingAs === a.id),
    invites: created.filter((i) => i.switchId === a.id),
  }));
}
