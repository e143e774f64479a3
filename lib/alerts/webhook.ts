// Alerts to a webhook (docs/architecture.md §15): ALERT_WEBHOOK_URL receives each alert as JSON,
// signed with ALERT_WEBHOOK_SECRET — header `Tenantry-Signature: t=<unix seconds>,v1=<hex
// HMAC-SHA256 of "<t>.<body>">` — so the receiver can check who sent it and when. A delivery
// that fails (no answer in 5 s, or not 2xx) is tried again after 10 s, 1 min, 5 min, 30 min
// and 2 h, each attempt logged with its status or error; then it is given up (and stays listed).
import "server-only";
import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import { withSystem } from "@/db/tenant";

export const RETRY_AFTER_SECONDS = [10, 60, 300, 1800, 7200];

export function webhookConfig(): { url: string; secret: string } | null {
  const url = process.env.ALERT_WEBHOOK_URL;
  if (!url) return null;
  const secret = process.env.ALERT_WEBHOOK_SECRET;
  if (!secret)
    throw new Error(
      "ALERT_WEBHOOK_URL is set without ALERT_WEBHOOK_SECRET: alerts would go unsigned.",
    );
  return { url, secret };
}

/** The signature header's value for `body` sent at `unixSeconds`. */
export function signature(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

type Due = {
  id: string;
  kind: string;
  tenant_id: string | null;
  summary: string;
  details: unknown;
  raised_at: string | Date;
  attempts: number;
};

/**
 * One round of deliveries: every alert not yet delivered whose next attempt is due (its
 * delivery row made on first sight), taken with SKIP LOCKED so two consoles never send one
 * twice at once. Returns what each attempt did.
 */
export async function deliverAlerts(
  now = new Date(),
): Promise<{ alertId: string; ok: boolean; status?: number; error?: string }[]> {
  const config = webhookConfig();
  if (!config) return [];
  return withSystem("alerts", async (tx) => {
    await tx.execute(sql`
      insert into control.alert_deliveries (alert_id, next_attempt_at)
      select a.id, ${now} from control.alerts a
       where not exists (select 1 from control.alert_deliveries d where d.alert_id = a.id)
         and a.raised_at > now() - interval '1 day'
      on conflict do nothing`);
    const { rows: due } = await tx.execute<Due>(sql`
      select a.id, a.kind, a.tenant_id, a.summary, a.details, a.raised_at, d.attempts
        from control.alert_deliveries d join control.alerts a on a.id = d.alert_id
       where d.delivered_at is null and d.next_attempt_at <= ${now}
         and d.attempts <= ${RETRY_AFTER_SECONDS.length}
       order by d.next_attempt_at limit 20
         for update of d skip locked`);
    const done = [];
    for (const alert of due) {
      const body = JSON.stringify({
        id: alert.id,
        kind: alert.kind,
        customer: alert.tenant_id,
        summary: alert.summary,
        details: alert.details,
        raisedAt: new Date(alert.raised_at).toISOString(),
      });
      const sentAt = Math.floor(now.getTime() / 1000);
      let status: number | undefined;
      let error: string | undefined;
      try {
        const response = await fetch(config.url, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "Tenantry-Signature": signature(config.secret, body, sentAt),
          },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        status = response.status;
        if (!response.ok) error = `answered ${response.status}`;
      } catch (e) {
        error = (e as Error).message;
      }
      const ok = !error;
      const wait = RETRY_AFTER_SECONDS[Math.min(alert.attempts, RETRY_AFTER_SECONDS.length - 1)];
      await tx.execute(sql`
        update control.alert_deliveries
           set attempts = attempts + 1,
               delivered_at = ${ok ? now : null},
               next_attempt_at = ${new Date(now.getTime() + wait * 1000)},
               log = log || ${JSON.stringify([{ at: now.toISOString(), status: status ?? null, error: error ?? null }])}::jsonb
         where alert_id = ${alert.id}`);
      done.push({ alertId: alert.id, ok, status, error });
    }
    return done;
  });
}
