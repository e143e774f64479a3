// The API's rate limits and monthly calls (docs/architecture.md §14), kept in PostgreSQL so they
// hold across every app instance: one statement per request reads the customer's plan (with its
// overrides), refuses a customer past its monthly calls plus the plan's soft margin, takes a
// token from the customer's bucket and the caller's (key or user) — refilled at the plan's
// `rate_limit_per_minute` a minute, up to that many — and counts the call in the month. A bucket
// row is locked while it is updated, so concurrent requests take tokens one after another. The
// same statement asks whether the caller's key is still live (not revoked, not expired, its
// customer not blocked) and notes its last use at most once a minute: one round trip a call.
// The statement is control.take_call (migration 0039), a function so each session plans it once.
import "server-only";
import { sql } from "drizzle-orm";
import { withSystem } from "@/db/tenant";
import { BLOCKED_STATUSES } from "@/lib/customers/lifecycle";
import { LAST_USED_EVERY_MS } from "./keys";

/** A platform token's limit a minute (it has no plan). */
export const PLATFORM_RATE_PER_MINUTE = 600;

export type Allowance =
  | { ok: true; limit: number; remaining: number; resetSeconds: number }
  | { ok: false; reason: "rate"; limit: number; retryAfterSeconds: number }
  | { ok: false; reason: "quota"; used: number; limit: number; retryAfterSeconds: number }
  | { ok: false; reason: "key"; refused: "unknown" | "revoked" | "expired" | "customer-inactive" };

/** The calendar month (UTC) calls are counted in, and the seconds until the next. */
export function monthOf(now: Date) {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return {
    month: now.toISOString().slice(0, 7),
    secondsLeft: Math.ceil((next - now.getTime()) / 1000),
  };
}

/**
 * Takes one call for `tenantId` (null: a platform token) and the caller (`key:<id>` or
 * `user:<id>`): allowed with the headers' figures, or refused for the rate or the month.
 */
export async function takeCall(
  tenantId: string | null,
  caller: string,
  options: { keyId?: string; now?: Date } = {},
): Promise<Allowance> {
  const now = options.now ?? new Date();
  const keyId = options.keyId ?? null;
  const { month, secondsLeft } = monthOf(now);
  const buckets = tenantId ? [`customer:${tenantId}`, caller] : [caller];
  const { rows } = await withSystem(
    "rate-limit",
    (tx) =>
      tx.execute<{
        key_refused: "unknown" | "revoked" | "expired" | "customer-inactive" | null;
        used: string | null;
        monthly: string | null;
        margin: number | null;
        buckets:
          | {
              key: string;
              tokens: number;
              allowed: boolean;
              capacity: number;
              per_second: number;
            }[]
          | null;
      }>(
        sql`select * from control.take_call(${tenantId}::text, ${JSON.stringify(buckets)}::jsonb, ${month},
              ${PLATFORM_RATE_PER_MINUTE}, ${keyId}::uuid, ${JSON.stringify(BLOCKED_STATUSES)}::jsonb,
              make_interval(secs => ${LAST_USED_EVERY_MS / 1000}))`,
      ),
    { oneStatement: true },
  );
  const row = rows[0];
  if (row.key_refused) return { ok: false, reason: "key", refused: row.key_refused };
  if (!row.buckets) {
    // No plan (an unknown customer) or the month used up: nothing was taken.
    const limit = Number(row.monthly ?? 0);
    return {
      ok: false,
      reason: "quota",
      used: Number(row.used ?? 0),
      limit,
      retryAfterSeconds: secondsLeft,
    };
  }
  const limit = Math.min(...row.buckets.map((b) => b.capacity));
  const refused = row.buckets.filter((b) => !b.allowed);
  if (refused.length)
    return {
      ok: false,
      reason: "rate",
      limit,
      retryAfterSeconds: Math.max(...refused.map((b) => Math.ceil((1 - b.tokens) / b.per_second))),
    };
  const tightest = row.buckets.reduce((a, b) => (b.tokens < a.tokens ? b : a));
  return {
    ok: true,
    limit,
    remaining: Math.max(0, Math.floor(tightest.tokens)),
    resetSeconds: Math.ceil((tightest.capacity - tightest.tokens) / tightest.per_second),
  };
}
