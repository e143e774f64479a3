// Trials that end (docs/architecture.md §5): a trial whose end has passed becomes `expired` —
// read-only for its users until a super-admin extends it or chooses a plan — audited
// (`customers.trial-expired`) and alerted. The alerts' worker runs it every minute; a request in
// between already treats such a trial as read-only (lifecycle.ts isReadOnly).
import "server-only";
import { sql } from "drizzle-orm";
import { withSystem } from "@/db/tenant";
import { raiseAlert } from "@/lib/alerts/raise";
import { insertAuditEvent } from "@/lib/audit/record";

export async function expireTrials(now = new Date()): Promise<string[]> {
  return withSystem("lifecycle", async (tx) => {
    const { rows } = await tx.execute<{ id: string; name: string; trial_ends_at: Date }>(sql`
      update control.customers set status = 'expired', version = version + 1
       where status = 'trial' and trial_ends_at <= ${now}
      returning id, name, trial_ends_at`);
    for (const c of rows) {
      await insertAuditEvent(tx, {
        action: "customers.trial-expired",
        outcome: "ok",
        actorRole: "system",
        tenantId: c.id,
        targetType: "customer",
        targetId: c.id,
        details: { trialEndedAt: new Date(c.trial_ends_at).toISOString() },
      });
      await raiseAlert(tx, {
        kind: "trial",
        tenantId: c.id,
        dedupeKey: `trial:${c.id}`,
        summary: `${c.name}'s trial ended: it is read-only until its trial is extended or a plan is chosen.`,
      });
    }
    return rows.map((c) => c.id);
  });
}

/** Days left of a running trial, when it ends within a week (the banner's 7, 3 and 1 days). */
export function trialDaysLeft(
  customer: { status: string; trialEndsAt?: Date | null },
  now = new Date(),
): number | null {
  if (customer.status !== "trial" || !customer.trialEndsAt) return null;
  const days = Math.ceil((customer.trialEndsAt.getTime() - now.getTime()) / 86_400_000);
  return days >= 1 && days <= 7 ? days : null;
}
