// Writing one audit event: the one place every event passes through (withPlatform and the
// action chain), so every text that came from a request is capped here, whatever its source,
// and an event about a customer that does not exist is still written rather than breaking on
// the foreign key (a probe with a made-up ID is exactly what the log must show).
import "server-only";
import { sql } from "drizzle-orm";
import { auditEvents } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { watchDenied } from "@/lib/alerts/raise";

export type AuditEventInput = typeof auditEvents.$inferInsert;

/** Longest text kept per column; longer input is cut and marked with an ellipsis. */
export const LIMITS = {
  actorEmail: 320,
  actorRole: 40,
  action: 100,
  targetType: 60,
  targetId: 200,
  ip: 64,
  userAgent: 512,
  requestId: 100,
} as const;
const DETAIL_TEXT = 1_000;
const DETAIL_DEPTH = 4;
const DETAIL_KEYS = 50;

/** At most `max` characters, and no NUL (which PostgreSQL text and jsonb refuse). */
export function capText<T extends string | null | undefined>(value: T, max: number): T {
  if (typeof value !== "string") return value;
  const text = value.includes("\0") ? value.replaceAll("\0", "") : value;
  return (text.length <= max ? text : `${text.slice(0, max - 1)}…`) as T;
}

/** Details as JSON with every string capped, and no deeper or wider than an event needs. */
export function capDetails(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return capText(value, DETAIL_TEXT);
  if (value === null || typeof value !== "object") return value;
  if (depth >= DETAIL_DEPTH) return "…";
  if (Array.isArray(value)) return value.slice(0, DETAIL_KEYS).map((v) => capDetails(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, DETAIL_KEYS)
      .map(([k, v]) => [capText(k, 100), capDetails(v, depth + 1)]),
  );
}

export async function insertAuditEvent(tx: Tx, event: AuditEventInput): Promise<void> {
  const capped: AuditEventInput = {
    ...event,
    actorEmail: capText(event.actorEmail, LIMITS.actorEmail),
    actorRole: capText(event.actorRole, LIMITS.actorRole),
    action: capText(event.action, LIMITS.action),
    targetType: capText(event.targetType, LIMITS.targetType),
    targetId: capText(event.targetId, LIMITS.targetId),
    ip: capText(event.ip, LIMITS.ip),
    userAgent: capText(event.userAgent, LIMITS.userAgent),
    requestId: capText(event.requestId, LIMITS.requestId),
    details: capDetails(event.details ?? {}),
  };
  // A refusal is watched: too many in a minute raise an alert (lib/alerts/raise.ts).
  const watch = () =>
    capped.outcome === "denied"
      ? watchDenied(tx, { ...capped, tenantId: capped.tenantId ?? null })
      : undefined;
  if (!event.tenantId) {
    await tx.insert(auditEvents).values(capped);
    return void (await watch());
  }
  // An unknown customer: the event goes on the platform chain and names the ID it was about.
  const tenantId = capText(event.tenantId, 40);
  await tx.insert(auditEvents).values({
    ...capped,
    tenantId: sql`(select c.id from control.customers c where c.id = ${tenantId})`,
    details: sql`${JSON.stringify(capped.details)}::jsonb || case when exists (select 1 from control.customers c where c.id = ${tenantId})
                 then '{}'::jsonb else jsonb_build_object('unknownCustomer', ${tenantId}::text) end`,
  });
  await watch();
}
