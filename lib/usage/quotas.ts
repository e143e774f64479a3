// Quotas that act (docs/architecture.md §8): rows and storage against the plan's limits (with the
// customer's overrides). A usage snapshot notes each customer that crossed 80 % or 100 % of a
// limit since its figures before — an audit event (`quota.crossed`) and an alert — and the
// customer's admins see a banner from 80 %, of those and of the month's API calls.
import "server-only";
import { sql } from "drizzle-orm";
import type { Tx } from "@/db/tenant";
import { raiseAlert } from "@/lib/alerts/raise";
import { insertAuditEvent } from "@/lib/audit/record";

export const QUOTA_METRICS = {
  "rows.total": "maxRows",
  "storage.bytes": "maxStorageBytes",
} as const;
const LEVELS = [100, 80] as const;

/**
 * A customer's rows and storage limits — the plan's, with its overrides — as `l.max_rows` and
 * `l.max_storage`, for `cross join lateral` after `c` (customers) and `p` (plans).
 */
export const limitsOf = sql`(select coalesce((c.quota_overrides ->> 'maxRows')::bigint, p.max_rows) as max_rows,
  coalesce((c.quota_overrides ->> 'maxStorageBytes')::bigint, p.max_storage_bytes) as max_storage) l`;
const limitOf = sql`case s.metric when 'rows.total' then l.max_rows else l.max_storage end`;

/**
 * After run `runId` (taken at `takenAt`) wrote the figures that changed: every customer whose rows
 * or storage reached 80 % or 100 % of its limit since its figures before is audited and alerted,
 * once per level crossed. A customer the run did not write had the same figures before.
 */
export async function noteQuotaCrossings(tx: Tx, runId: string, takenAt: Date) {
  const { rows } = await tx.execute<{
    tenant_id: string;
    name: string;
    metric: keyof typeof QUOTA_METRICS;
    value: string;
    before: string;
    limit: string;
  }>(sql`
    -- Those at 80 % or more now first; only theirs are looked up before.
    with near as materialized (
      select s.tenant_id, c.name, s.metric, s.id, s.value, ${limitOf} as "limit"
        from (select x.tenant_id, m.name as metric, m.id, x.figures[m.id] as value
                from control.usage_snapshots x cross join control.usage_metrics m
               where x.run_id = ${runId} and m.name in ('rows.total', 'storage.bytes') and x.figures[m.id] is not null) s
        join control.customers c on c.id = s.tenant_id join control.plans p on p.name = c.plan
        cross join lateral ${limitsOf}
       where s.value >= 0.8 * (${limitOf}))
    select n.tenant_id, n.name, n.metric, n.value::text, coalesce(o.value, 0)::text as before, n."limit"::text as limit
      from near n
      left join lateral (select y.figures[n.id] as value from control.usage_snapshots y
                          where y.tenant_id = n.tenant_id and y.taken_at < ${takenAt}
                          order by y.taken_at desc limit 1) o on true
     where coalesce(o.value, 0) < n."limit"`);
  for (const r of rows) {
    const [value, before, limit] = [Number(r.value), Number(r.before), Number(r.limit)];
    const level = LEVELS.find((l) => value >= (limit * l) / 100 && before < (limit * l) / 100);
    if (!level) continue;
    const what = r.metric === "rows.total" ? "rows" : "storage";
    await insertAuditEvent(tx, {
      action: "quota.crossed",
      outcome: "ok",
      actorRole: "system",
      tenantId: r.tenant_id,
      targetType: "customer",
      targetId: r.tenant_id,
      details: { metric: r.metric, level, value, limit },
    });
    await raiseAlert(tx, {
      kind: "quota",
      tenantId: r.tenant_id,
      dedupeKey: `quota:${r.tenant_id}:${r.metric}:${level}`,
      summary: `${r.name} reached ${level} % of its ${what} limit (${value.toLocaleString("en")} of ${limit.toLocaleString("en")}).`,
      details: { metric: r.metric, level, value, limit },
    });
  }
}

/** What the banner says a customer is near or over: a limit, its level, and the figures. */
export type QuotaLevel = {
  metric: "rows" | "storage" | "api-calls";
  level: 80 | 100;
  value: number;
  limit: number;
};

/**
 * A customer's rows and storage (its latest figures) and this month's API calls against its
 * limits: the banner's level (80 or 100) for each at 80 % or more.
 */
export function quotaLevels(
  figures: Record<string, number>,
  limits: { maxRows: number; maxStorageBytes: number; maxApiCallsMonth: number },
  apiCalls: number,
): QuotaLevel[] {
  const out: QuotaLevel[] = [];
  for (const [metric, value, limit] of [
    ["rows", figures["rows.total"] ?? 0, limits.maxRows],
    ["storage", figures["storage.bytes"] ?? 0, limits.maxStorageBytes],
    ["api-calls", apiCalls, limits.maxApiCallsMonth],
  ] as const) {
    if (value >= limit) out.push({ metric, level: 100, value, limit });
    else if (value >= 0.8 * limit) out.push({ metric, level: 80, value, limit });
  }
  return out;
}

/**
 * How many API calls a month go through: the limit and the plan's margin past it, as
 * control.take_calls refuses a call once the month's count reaches limit × (100 + margin) %.
 */
export function apiCallsAllowed(limits: {
  maxApiCallsMonth: number;
  apiCallsMarginPercent: number;
}) {
  return Math.ceil((limits.maxApiCallsMonth * (100 + limits.apiCallsMarginPercent)) / 100);
}
