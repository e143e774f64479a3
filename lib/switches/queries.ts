import "server-only";
import { and, desc, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import { auditEvents, customers, switches } from "@/db/schema";
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

/** Access transparency: platform staff's switches into this customer, with what they did. */
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
        .select({ actingAs: auditEvents.actingAs, at: auditEvents.at, action: auditEvents.action, outcome: auditEvents.outcome })
        .from(auditEvents)
        .where(and(eq(auditEvents.tenantId, tenantId), isNotNull(auditEvents.actingAs), inArray(auditEvents.actingAs, ids)))
        .orderBy(auditEvents.at)
    : [];
  return accesses.map((a) => ({ ...a, events: events.filter((e) => e.actingAs === a.id) }));
}
