// What the platform API reads and writes for a customer (docs/architecture.md §14), through the
// caller's tenant transaction: the customer, its usage, and its metered events.
import "server-only";
import { and, eq, gt } from "drizzle-orm";
import { apiCalls, customers, plans, usageEvents, usageEventTotals } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { dailyTrend, effectiveLimits, latestFigures } from "@/lib/usage/queries";
import { monthOf } from "./limits";
import type { usageEventsBody } from "./schemas";
import type { z } from "zod";

export async function customerInfo(tx: Tx, tenantId: string) {
  const [row] = await tx
    .select({ customer: customers, plan: plans })
    .from(customers)
    .innerJoin(plans, eq(plans.name, customers.plan))
    .where(eq(customers.id, tenantId));
  const limits = await effectiveLimits(tx, tenantId);
  if (!row || !limits) return null;
  return {
    id: row.customer.id,
    name: row.customer.name,
    status: row.customer.status,
    plan: row.plan.displayName,
    createdAt: row.customer.createdAt.toISOString(),
    limits: {
      users: limits.maxUsers,
      rows: limits.maxRows,
      storageBytes: limits.maxStorageBytes,
      apiCallsMonth: limits.maxApiCallsMonth,
      rateLimitPerMinute: row.plan.rateLimitPerMinute,
    },
  };
}

/**
 * The customer's API calls counted this calendar month (UTC) so far: the calls of each app
 * instance's current lease are counted within LEASE_MS (lib/api/limits.ts).
 */
export async function apiCallsThisMonth(tx: Tx, tenantId: string, now = new Date()) {
  const { month } = monthOf(now);
  const [row] = await tx
    .select({ calls: apiCalls.calls })
    .from(apiCalls)
    .where(and(eq(apiCalls.tenantId, tenantId), eq(apiCalls.month, month)));
  return { month, calls: row?.calls ?? 0 };
}

/**
 * The customer's metered events of `month` (UTC, "YYYY-MM") per kind: how many and their summed
 * quantity, read from the totals the events' triggers keep (migration 0077), a row per kind, the
 * first `limit` kinds by name if given.
 */
export function eventsOfMonth(tx: Tx, tenantId: string, month: string, limit?: number) {
  const rows = tx
    .select({
      kind: usageEventTotals.kind,
      quantity: usageEventTotals.quantity,
      events: usageEventTotals.events,
    })
    .from(usageEventTotals)
    .where(
      and(
        eq(usageEventTotals.tenantId, tenantId),
        eq(usageEventTotals.month, month),
        gt(usageEventTotals.events, 0),
      ),
    )
    .orderBy(usageEventTotals.kind);
  return limit === undefined ? rows : rows.limit(limit);
}

/** The latest figures, a daily trend of rows, this month's API calls and metered events. */
export async function customerUsage(tx: Tx, tenantId: string, days: number) {
  const info = await customerInfo(tx, tenantId);
  if (!info) return null;
  const { takenAt, figures } = await latestFigures(tx, tenantId);
  const { "rows.total": trend } = await dailyTrend(tx, tenantId, ["rows.total"], days);
  const { month, calls } = await apiCallsThisMonth(tx, tenantId);
  const events = await eventsOfMonth(tx, tenantId, month);
  return {
    customer: tenantId,
    takenAt: takenAt?.toISOString() ?? null,
    figures,
    trend: trend.map((t) => ({ day: t.day, rows: Number(t.value) })),
    apiCalls: { month, calls, limit: info.limits.apiCallsMonth },
    events,
  };
}

/**
 * Records a batch of metered events, each once by its ID (a batch sent again counts nothing
 * twice): how many were new and how many were counted before.
 */
export async function recordEvents(
  tx: Tx,
  keyId: string | null,
  events: z.infer<typeof usageEventsBody>["events"],
) {
  // The same ID twice in one batch is one event: the first.
  const unique = [...new Map(events.map((e) => [e.id, e] as const)).values()];
  const now = new Date();
  const inserted = await tx
    .insert(usageEvents)
    .values(
      unique.map((e) => ({
        eventId: e.id,
        kind: e.kind,
        quantity: e.quantity,
        occurredAt: e.occurredAt ? new Date(e.occurredAt) : now,
        keyId,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: usageEvents.eventId });
  return { accepted: inserted.length, duplicates: events.length - inserted.length };
}
