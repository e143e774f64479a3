// The API's rate limits and monthly calls (docs/architecture.md §14), kept in PostgreSQL so they
// hold across every app instance: one statement per request reads the customer's plan (with its
// overrides), refuses a customer past its monthly calls plus the plan's soft margin, takes a
// token from the customer's bucket and the caller's (key or user) — refilled at the plan's
// `rate_limit_per_minute` a minute, up to that many — and counts the call in the month. A bucket
// row is locked while it is updated, so concurrent requests take tokens one after another.
import "server-only";
import { sql } from "drizzle-orm";
import { withSystem } from "@/db/tenant";

/** A platform token's limit a minute (it has no plan). */
export const PLATFORM_RATE_PER_MINUTE = 600;

export type Allowance =
  | { ok: true; limit: number; remaining: number; resetSeconds: number }
  | { ok: false; reason: "rate"; limit: number; retryAfterSeconds: number }
  | { ok: false; reason: "quota"; used: number; limit: number; retryAfterSeconds: number };

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
  now = new Date(),
): Promise<Allowance> {
  const { month, secondsLeft } = monthOf(now);
  const buckets = tenantId ? [`customer:${tenantId}`, caller] : [caller];
  const { rows } = await withSystem("rate-limit", (tx) =>
    tx.execute<{
      used: string | null;
      monthly: string | null;
      margin: number | null;
      buckets:
        | { key: string; tokens: number; allowed: boolean; capacity: number; per_second: number }[]
        | null;
    }>(sql`
      with lim as (
        select p.rate_limit_per_minute as per_min,
               coalesce((c.quota_overrides ->> 'maxApiCallsMonth')::bigint, p.max_api_calls_month) as monthly,
               p.api_calls_soft_margin_percent as margin
          from control.customers c join control.plans p on p.name = c.plan
         where c.id = ${tenantId}::text
        union all
        select ${PLATFORM_RATE_PER_MINUTE}::int, null::bigint, 0 where ${tenantId}::text is null
      ),
      q as (
        select coalesce((select a.calls from control.api_calls a
                          where a.tenant_id = ${tenantId}::text and a.month = ${month}), 0) as used,
               lim.per_min, lim.monthly, lim.margin
          from lim
      ),
      b as (
        insert into control.rate_buckets as r (key, capacity, per_second, tokens, updated_at, allowed)
        select k, q.per_min, q.per_min / 60.0, q.per_min - 1, clock_timestamp(), true
          from q, jsonb_array_elements_text(${JSON.stringify(buckets)}::jsonb) as k
         where q.monthly is null or q.used < q.monthly * (100 + q.margin) / 100.0
        on conflict (key) do update set
          capacity = excluded.capacity,
          per_second = excluded.per_second,
          tokens = least(excluded.capacity::float8, r.tokens + extract(epoch from clock_timestamp() - r.updated_at) * excluded.per_second)
                   - case when least(excluded.capacity::float8, r.tokens + extract(epoch from clock_timestamp() - r.updated_at) * excluded.per_second) >= 1 then 1 else 0 end,
          allowed = least(excluded.capacity::float8, r.tokens + extract(epoch from clock_timestamp() - r.updated_at) * excluded.per_second) >= 1,
          updated_at = clock_timestamp()
        returning r.key, r.tokens, r.allowed, r.capacity, r.per_second
      ),
      counted as (
        insert into control.api_calls as a (tenant_id, month, calls)
        select ${tenantId}::text, ${month}, 1
         where ${tenantId}::text is not null and (select bool_and(allowed) from b)
        on conflict (tenant_id, month) do update set calls = a.calls + 1
        returning calls
      )
      select (select used from q)::text as used, (select monthly from q)::text as monthly,
             (select margin from q) as margin, (select calls from counted) as calls,
             (select json_agg(b) from b) as buckets`),
  );
  const row = rows[0];
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
