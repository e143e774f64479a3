import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import { customers, plans, usageRuns, usageSnapshots } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { limitsOf } from "./quotas";

export type Figures = Record<string, number>;

/** A customer's latest figures and when they were taken (null before the first snapshot). */
export async function latestFigures(
  tx: Tx,
  tenantId: string,
): Promise<{ takenAt: Date | null; figures: Figures }> {
  const [row] = await tx
    .select({ figures: usageSnapshots.figures, takenAt: usageSnapshots.takenAt })
    .from(usageSnapshots)
    .where(eq(usageSnapshots.tenantId, tenantId))
    .orderBy(desc(usageSnapshots.takenAt))
    .limit(1);
  return { takenAt: row?.takenAt ?? null, figures: row?.figures ?? {} };
}

/**
 * One value a day for the last `days` days: the last snapshot of each day (UTC). One index
 * probe a day, whatever the rollup keeps of it (every run for the last two days).
 */
export async function dailyTrend(
  tx: Tx,
  tenantId: string,
  metric: string,
  days = 30,
): Promise<{ day: string; value: number }[]> {
  const since = new Date(Date.now() - days * 86_400_000);
  const { rows } = await tx.execute<{ day: string; value: string }>(sql`
    with d as materialized (
      select day, day at time zone 'UTC' as starts, (day + interval '1 day') at time zone 'UTC' as ends
        from generate_series(date_trunc('day', ${since}::timestamptz at time zone 'UTC'),
                             date_trunc('day', now() at time zone 'UTC'), interval '1 day') day)
    -- The bounds come worked out (materialized): under RLS only leakproof comparisons of them
    -- reach the index, not the time-zone arithmetic.
    select to_char(d.day, 'YYYY-MM-DD') as day, coalesce((s.figures ->> ${metric})::bigint, 0) as value
      from d cross join lateral (
        select x.figures from control.usage_snapshots x
         where x.tenant_id = ${tenantId} and x.taken_at >= d.starts and x.taken_at < d.ends
         order by x.taken_at desc limit 1) s
     order by 1`);
  return rows.map((r) => ({ day: r.day, value: Number(r.value) }));
}

/** The customer's limits: the plan's, with the customer's overrides. */
export async function effectiveLimits(tx: Tx, tenantId: string) {
  const [row] = await tx
    .select({ plan: plans, overrides: customers.quotaOverrides })
    .from(customers)
    .innerJoin(plans, eq(plans.name, customers.plan))
    .where(eq(customers.id, tenantId));
  if (!row) return null;
  const o = row.overrides as Partial<
    Record<"maxUsers" | "maxRows" | "maxStorageBytes" | "maxApiCallsMonth", number>
  >;
  return {
    plan: row.plan.displayName,
    maxUsers: o.maxUsers ?? row.plan.maxUsers,
    maxRows: o.maxRows ?? row.plan.maxRows,
    maxStorageBytes: o.maxStorageBytes ?? row.plan.maxStorageBytes,
  };
}

export async function latestRun(tx: Tx) {
  const [run] = await tx.select().from(usageRuns).orderBy(desc(usageRuns.startedAt)).limit(1);
  return run ?? null;
}

/** The platform overview from the latest run: totals, top customers, quota pressure. */
export async function platformOverview(tx: Tx, placementThresholdRows: number) {
  const run = await latestRun(tx);
  const { rows: byStatus } = await tx.execute<{ status: string; plan: string; n: number }>(
    sql`select status, plan, count(*)::int as n from control.customers group by 1, 2 order by 1, 2`,
  );
  if (!run)
    return {
      run,
      byStatus,
      totals: {} as Figures,
      top: { actions: [], rows: [], storage: [] },
      atQuota: [],
      overQuota: [],
      overThreshold: [],
      growth: [],
    };
  const { rows: totals } = await tx.execute<{ metric: string; total: string }>(
    sql`select f.key as metric, sum(f.value::bigint)::bigint as total
          from control.usage_snapshots s cross join jsonb_each_text(s.figures) f
         where s.run_id = ${run.id} group by 1`,
  );
  const wide = sql`(select s.tenant_id,
            (s.figures ->> 'users.total')::bigint as users,
            (s.figures ->> 'actions.30d')::bigint as actions,
            (s.figures ->> 'rows.total')::bigint as rows,
            (s.figures ->> 'storage.bytes')::bigint as storage
       from control.usage_snapshots s where s.run_id = ${run.id}) w`;
  const topBy = async (key: "actions" | "rows" | "storage") =>
    (
      await tx.execute<{
        id: string;
        name: string;
        users: number;
        actions: number;
        rows: number | null;
        storage: number | null;
      }>(sql`
        select c.id, c.name, w.users::int, w.actions::int, w.rows::bigint as rows, w.storage::bigint as storage
          from ${wide} join control.customers c on c.id = w.tenant_id
         order by ${sql.identifier(key)} desc nulls last, c.name limit 10`)
    ).rows;
  const top = {
    actions: await topBy("actions"),
    rows: await topBy("rows"),
    storage: await topBy("storage"),
  };
  const { rows: atQuota } = await tx.execute<{
    id: string;
    name: string;
    users: number;
    max_users: number;
  }>(sql`
    select c.id, c.name, w.users::int as users,
           coalesce((c.quota_overrides->>'maxUsers')::int, p.max_users) as max_users
      from ${wide} join control.customers c on c.id = w.tenant_id join control.plans p on p.name = c.plan
     where w.users >= 0.8 * coalesce((c.quota_overrides->>'maxUsers')::int, p.max_users)
     order by w.users::float / greatest(coalesce((c.quota_overrides->>'maxUsers')::int, p.max_users), 1) desc limit 50`);
  const { rows: overThreshold } = await tx.execute<{ id: string; name: string; rows: number }>(sql`
    select c.id, c.name, w.rows::bigint as rows from ${wide} join control.customers c on c.id = w.tenant_id
     where w.rows >= ${placementThresholdRows} order by w.rows desc limit 50`);
  // Growth: the total of each figure now against the run nearest 7 and 30 days ago.
  const { rows: growth } = await tx.execute<{ days: number; metric: string; total: string }>(sql`
    select d.days, m.metric, sum((s.figures ->> m.metric)::bigint)::bigint as total
      from (values (7), (30)) d(days)
      cross join lateral (select id from control.usage_runs
                           where started_at <= ${run.startedAt}::timestamptz - make_interval(days => d.days)
                           order by started_at desc limit 1) r
      join control.usage_snapshots s on s.run_id = r.id
      cross join (values ('users.total'), ('rows.total'), ('actions.30d')) m(metric)
     where s.figures ? m.metric
     group by 1, 2`);
  // Over a rows or storage limit, by the latest run.
  const { rows: overQuota } = await tx.execute<{
    id: string;
    name: string;
    rows: number | null;
    max_rows: number;
    storage: number | null;
    max_storage: number;
  }>(sql`
    select c.id, c.name, w.rows::bigint as rows, l.max_rows, w.storage::bigint as storage, l.max_storage
      from ${wide} join control.customers c on c.id = w.tenant_id join control.plans p on p.name = c.plan
      cross join lateral ${limitsOf}
     where w.rows >= l.max_rows or w.storage >= l.max_storage
     order by greatest(w.rows::float / greatest(l.max_rows, 1), w.storage::float / greatest(l.max_storage, 1)) desc limit 50`);
  return {
    run,
    byStatus,
    totals: Object.fromEntries(totals.map((t) => [t.metric, Number(t.total)])) as Figures,
    top,
    atQuota,
    overQuota: overQuota.map((c) => ({
      ...c,
      rows: Number(c.rows ?? 0),
      max_rows: Number(c.max_rows),
      storage: Number(c.storage ?? 0),
      max_storage: Number(c.max_storage),
    })),
    overThreshold,
    growth: growth.map((g) => ({ days: g.days, metric: g.metric, total: Number(g.total) })),
  };
}
