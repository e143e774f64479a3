// Raising alerts (docs/architecture.md §15), from the transaction that notices: one open alert
// per dedupe key (a partial unique index), so a burst of the same trouble raises one alert until
// a super-admin acknowledges it. Denied attempts are watched as each is recorded: an actor with
// ALERT_DENIED_PER_MINUTE (20) refusals in a minute, or a customer whose users reach
// ALERT_DENIED_PER_CUSTOMER_PER_MINUTE (100), raises a `cross-tenant` alert.
import "server-only";
import { sql } from "drizzle-orm";
import { withSystem, type Tx } from "@/db/tenant";
import type { alertKinds } from "@/db/schema";

export interface NewAlert {
  kind: (typeof alertKinds)[number];
  tenantId?: string | null;
  dedupeKey: string;
  summary: string;
  details?: Record<string, unknown>;
}

/** Raises an alert unless one with the same key is open; true when this one is new. */
export async function raiseAlert(tx: Tx, alert: NewAlert): Promise<boolean> {
  const { rows } = await tx.execute<{ id: string }>(sql`
    insert into control.alerts (kind, tenant_id, dedupe_key, summary, details)
    values (${alert.kind}, (select c.id from control.customers c where c.id = ${alert.tenantId ?? null}::text),
            ${alert.dedupeKey}, ${alert.summary}, ${JSON.stringify(alert.details ?? {})}::jsonb)
    on conflict (dedupe_key) where acknowledged_at is null do nothing
    returning id`);
  return rows.length === 1;
}

export const deniedPerMinute = () => Number(process.env.ALERT_DENIED_PER_MINUTE ?? 20);
export const deniedPerCustomerPerMinute = () =>
  Number(process.env.ALERT_DENIED_PER_CUSTOMER_PER_MINUTE ?? 100);

/** After a denied event: its actor's and its customer's refusals in the last minute, and alerts. */
export async function watchDenied(
  tx: Tx,
  event: {
    actorUserId?: string | null;
    actorEmail?: string | null;
    tenantId?: string | null;
    action: string;
  },
) {
  if (event.actorUserId) {
    const { rows } = await tx.execute<{ n: number }>(sql`
      select count(*)::int as n from control.audit_events
       where actor_user_id = ${event.actorUserId} and outcome = 'denied' and at > now() - interval '1 minute'`);
    if (rows[0].n >= deniedPerMinute())
      await raiseAlert(tx, {
        kind: "cross-tenant",
        tenantId: event.tenantId,
        dedupeKey: `denied:actor:${event.actorUserId}`,
        summary: `${event.actorEmail ?? event.actorUserId} was refused ${rows[0].n} times in a minute (the last: ${event.action}).`,
        details: { actorUserId: event.actorUserId, actorEmail: event.actorEmail, count: rows[0].n },
      });
  }
  if (event.tenantId) {
    const { rows } = await tx.execute<{ n: number }>(sql`
      select count(*)::int as n from control.audit_events
       where tenant_id = ${event.tenantId} and outcome = 'denied' and at > now() - interval '1 minute'`);
    if (rows[0].n >= deniedPerCustomerPerMinute())
      await raiseAlert(tx, {
        kind: "cross-tenant",
        tenantId: event.tenantId,
        dedupeKey: `denied:customer:${event.tenantId}`,
        summary: `${event.tenantId}'s users were refused ${rows[0].n} times in a minute.`,
        details: { count: rows[0].n },
      });
  }
}

/**
 * Raises an alert in a transaction of its own, on the system door: from a worker, or from
 * owner's work (a move, an adoption run, a job) whose own transaction may be rolling back.
 * Never throws: an alert that cannot be written is logged, and the work's own outcome stands.
 */
export async function raiseAlertNow(alert: NewAlert): Promise<void> {
  await withSystem("alerts", (tx) => raiseAlert(tx, alert)).catch((error: Error) =>
    console.error(`alert ${alert.dedupeKey}: ${error.message}`),
  );
}
