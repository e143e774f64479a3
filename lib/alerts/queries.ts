// What the console shows of alerts (docs/architecture.md §15), through the platform door.
import "server-only";
import { desc, eq, isNull, sql } from "drizzle-orm";
import { alertDeliveries, alerts, customers } from "@/db/schema";
import { withSystem, type Tx } from "@/db/tenant";

export function listAlerts(tx: Tx, options: { open?: boolean; limit?: number } = {}) {
  return tx
    .select({
      id: alerts.id,
      kind: alerts.kind,
      tenantId: alerts.tenantId,
      customerName: customers.name,
      summary: alerts.summary,
      details: alerts.details,
      raisedAt: alerts.raisedAt,
      acknowledgedAt: alerts.acknowledgedAt,
      acknowledgedBy: alerts.acknowledgedBy,
      deliveredAt: alertDeliveries.deliveredAt,
      attempts: alertDeliveries.attempts,
    })
    .from(alerts)
    .leftJoin(customers, eq(customers.id, alerts.tenantId))
    .leftJoin(alertDeliveries, eq(alertDeliveries.alertId, alerts.id))
    .where(options.open ? isNull(alerts.acknowledgedAt) : undefined)
    .orderBy(desc(alerts.raisedAt))
    .limit(options.limit ?? 100);
}

export type AlertView = Awaited<ReturnType<typeof listAlerts>>[number];

/** How many alerts wait for a super-admin (the header's count). */
export async function openAlertCount(tx: Tx): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(alerts)
    .where(isNull(alerts.acknowledgedAt));
  return row.n;
}

/** Acknowledges an open alert; false when it is acknowledged already, or not there. */
export async function acknowledgeAlert(tx: Tx, id: string, by: string) {
  const done = await tx
    .update(alerts)
    .set({ acknowledgedAt: new Date(), acknowledgedBy: by })
    .where(sql`${alerts.id} = ${id} and ${alerts.acknowledgedAt} is null`)
    .returning({ tenantId: alerts.tenantId, kind: alerts.kind });
  return done[0] ?? null;
}

/**
 * The header's count for a super-admin, on every page: read on the system door (read-only), as
 * the platform door would record an access event for each page view.
 */
export async function openAlertsForHeader(): Promise<number> {
  return withSystem("alerts", openAlertCount, { readOnly: true });
}
