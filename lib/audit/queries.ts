import "server-only";
import { and, desc, eq, gte, like, lt, sql, type SQL } from "drizzle-orm";
import { auditEvents } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import {
  keysetPage,
  listTotal,
  newestFirst,
  totalQueries,
  type KeysetPage,
} from "@/lib/lists/keyset";
import type { AuditCursor, AuditFilter } from "./schemas";

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

/**
 * One page of events, newest first (by time, then ID), by keyset from the cursor, with the
 * total counted up to a bound and estimated above it: no page reads more than its rows and
 * that bound, however long the log (the tenant's pages read its (tenant_id, at) index, the
 * platform's the at index).
 */
export async function listAuditEvents(
  tx: Tx,
  filter: AuditFilter,
  tenantId?: string,
): Promise<KeysetPage<AuditRow>> {
  const { cursor } = filter;
  const where = auditWhere(filter, tenantId);
  // A previous page is read forwards in time from the cursor, then turned round.
  const keyset = newestFirst(auditEvents.at, auditEvents.id, "bigint", cursor);
  const fetched = await tx
    .select({ ...auditColumns, key: keyset.key })
    .from(auditEvents)
    .where(and(where, keyset.after))
    .orderBy(...keyset.order)
    .limit(filter.size + 1);
  const page = keysetPage(
    fetched,
    filter.size,
    cursor,
    (row, position) => ({ ...position, at: row.key, id: row.id }) satisfies AuditCursor,
  );
  if (!page) return listAuditEvents(tx, { ...filter, cursor: undefined }, tenantId);
  return { ...page, total: await listTotal(tx, totalQueries(tx, auditEvents, where)) };
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
