import "server-only";
import { and, count, desc, eq, gte, like, lt, sql, type SQL } from "drizzle-orm";
import { auditEvents } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import type { AuditFilter } from "./schemas";

function escapeLike(text: string) {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The filter's WHERE; `tenantId` pins a customer's own view (RLS pins it too). */
export function auditWhere(filter: AuditFilter, tenantId?: string): SQL | undefined {
  const customer = tenantId ?? filter.customer;
  return and(
    customer ? eq(auditEvents.tenantId, customer) : undefined,
    filter.actor
      ? like(sql`lower(${auditEvents.actorEmail})`, `${escapeLike(filter.actor)}%`)
      : undefined,
    filter.action ? like(auditEvents.action, `${escapeLike(filter.action)}%`) : undefined,
    filter.outcome ? eq(auditEvents.outcome, filter.outcome) : undefined,
    filter.from ? gte(auditEvents.at, new Date(`${filter.from}T00:00:00Z`)) : undefined,
    filter.to
      ? lt(auditEvents.at, new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000))
      : undefined,
  );
}

export const auditColumns = {
  id: auditEvents.id,
  at: auditEvents.at,
  actorEmail: auditEvents.actorEmail,
  actorRole: auditEvents.actorRole,
  actingAs: auditEvents.actingAs,
  tenantId: auditEvents.tenantId,
  action: auditEvents.action,
  targetType: auditEvents.targetType,
  targetId: auditEvents.targetId,
  outcome: auditEvents.outcome,
  details: auditEvents.details,
  ip: auditEvents.ip,
};

/** One page of events, newest first, and the total. */
export async function listAuditEvents(tx: Tx, filter: AuditFilter, tenantId?: string) {
  const where = auditWhere(filter, tenantId);
  const rows = await tx
    .select(auditColumns)
    .from(auditEvents)
    .where(where)
    .orderBy(desc(auditEvents.id))
    .limit(filter.size)
    .offset((filter.page - 1) * filter.size);
  const [{ total }] = await tx.select({ total: count() }).from(auditEvents).where(where);
  return { rows, total };
}

/** The next batch of the export, newest first, strictly older than `beforeId`. */
export function auditBatch(
  tx: Tx,
  filter: AuditFilter,
  tenantId: string | undefined,
  beforeId: number | null,
  size: number,
) {
  return tx
    .select(auditColumns)
    .from(auditEvents)
    .where(
      and(
        auditWhere(filter, tenantId),
        beforeId === null ? undefined : lt(auditEvents.id, beforeId),
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(size);
}

export type AuditRow = Awaited<ReturnType<typeof auditBatch>>[number];
