import "server-only";
import { desc, eq, lte, sql, type SQL } from "drizzle-orm";
import { customers, plans, usageRuns, usageSnapshots } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { COUNT_BELOW_ESTIMATE } from "@/lib/lists/keyset";
import { limitsOf } from "./quotas";

export type Figures = Record<string, number>;

/**
 * The value of `metric` in a snapshot's `figures` (an SQL expression), NULL where its run has
 * none. The metric's place is looked up once per statement (an uncorrelated subquery), however
 * many rows it reads.
 */
export const figureOf = (figures: SQL, metric: string) =>
  sql`${figures}[(select id from control.usage_metrics where name = ${metric})]`;

/**
 * A customer's latest figures and when they were taken (null before the first snapshot): its
 * latest row, which holds its figures as of the latest run (a run writes only those that changed).
 */
export async function latestFigures(
  tx: Tx,
  tenantId: string,
): Promise<{ takenAt: Date | null; figures: Figures }> {
  const [row] = await tx
    .select({
      figures: sql<Figures>`control.usage_document(${usageSnapshots.figures})`,
      takenAt:
        sql<Date>`greatest(${usageSnapshots.takenAt}, control.usage_latest_run_at())`.mapWith(
          usageSnapshots.takenAt,
        ),
    })
    .from(usageSnapshots)
    .where(eq(usageSnapshots.tenantId, tenantId))
    .orderBy(desc(usageSnapshots.takenAt))
    .limit(1);
  return { takenAt: row?.takenAt ?? null, figures: row?.figures ?? {} };
}

/**
 * One value a day of each of `metrics` for the last `days` days: the customer's figures at the end
 * of each day (UTC), i.e. its last row before then (a run writes only figures that changed), on
 * each day a run took place. One index probe a day for all of them, whatever the rollup keeps
 * (every row for the last two days).
 */
export async function dailyTrend<M extends string>(
  tx: Tx,
  tenantId: string,
  metrics: readonly M[],
  days = 30,
): Promise<Record<M, { day: string; value: number }[]>> {
  const since = new Date(Date.now() - days * 86_400_000);
  const { rows } = await tx.execute<{ day: string; values: (string | null)[] }>(sql`
    with d as materialized (
      select day, (day + interval '1 day') at time zone 'UTC' as ends
        from generate_series(date_trunc('day', ${since}::timestamptz at time zone 'UTC'),
                             date_trunc('day', now() at time zone 'UTC'), interval '1 day') day)
    -- The bounds come worked out (materialized): under RLS only leakproof comparisons of them
    -- reach the index, not the time-zone arithmetic.
    -- Only the days with a run: a day the console was down is a gap, not the day before again.
    select to_char(d.day, 'YYYY-MM-DD') as day,
           array(select s.figures[m.id] from unnest(${sql.param(metrics)}::text[]) with ordinality u(name, i)
                   left join control.usage_metrics m on m.name = u.name order by i) as values
      from d
      join control.usage_run_days((select min(day) from d)::date) r on r = d.day::date
      cross join lateral (
        select x.figures from control.usage_snapshots x
         where x.tenant_id = ${tenantId} and x.taken_at < d.ends
         order by x.taken_at desc limit 1) s
     order by 1`);
  return Object.fromEntries(
    metrics.map((metric, i) => [
      metric,
      rows.map((r) => ({ day: r.day, value: Number(r.values[i] ?? 0) })),
    ]),
  ) as Record<M, { day: string; value: number }[]>;
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
    maxApiCallsMonth: o.maxApiCallsMonth ?? row.plan.maxApiCallsMonth,
    /** How far past maxApiCallsMonth calls still go through (control.take_calls). */
    apiCallsMarginPercent: row.plan.apiCallsSoftMarginPercent,
  };
}

export async function latestRun(tx: Tx) {
  const [run] = await tx.select().from(usageRuns).orderBy(desc(usageRuns.startedAt)).limit(1);
  return run ?? null;
}

/** A customer as the overview lists it. */
type RankedCustomer = {
  id: string;
  name: string;
  users: number;
  actions: number;
  rows: number | null;
  storage: number | null;
};

/**
 * A run's figures for the overview: totals, the top customers, quota pressure, and the 50
 * largest by rows (those over the placement threshold come from them). Worked out once, by the
 * snapshot that took the run, from every customer's figures (`figures`: rows of tenant_id and
 * figures), and kept with it (usage_runs.summary); the overview then reads one row, however many
 * customers there are.
 */
export async function summarizeRun(tx: Tx, figures: SQL) {
  const byStatus = await countByStatus(tx);
  // Each metric's total: one sum per place in one pass over the figures.
  const { rows: metrics } = await tx.execute<{ id: number; name: string }>(
    sql`select id, name from control.usage_metrics order by id`,
  );
  const [sums] = metrics.length
    ? (
        await tx.execute<Record<string, string | null>>(
          sql`select ${sql.join(
            metrics.map(
              (m) => sql`sum(s.figures[${m.id}::int])::text as ${sql.identifier(`m${m.id}`)}`,
            ),
            sql`, `,
          )} from ${figures} s`,
        )
      ).rows
    : [{}];
  const totals = metrics
    .map((m) => ({ metric: m.name, total: sums[`m${m.id}`] }))
    .filter((t): t is { metric: string; total: string } => t.total !== null);
  // Every customer's figures beside its name and limits, joined once; each list is then the
  // top of those, all in one statement.
  const figure = (metric: string) => figureOf(sql`s.figures`, metric);
  const list = (columns: SQL, order: SQL, limit: number, where = sql`true`) =>
    sql`(select coalesce(json_agg(t order by ${order}), '[]')
           from (select ${columns} from w where ${where} order by ${order} limit ${limit}) t)`;
  const ranked = sql`id, name, users, actions, rows, storage`;
  const {
    rows: [lists],
  } = await tx.execute<{
    actions: RankedCustomer[];
    rows: RankedCustomer[];
    storage: RankedCustomer[];
    at_quota: { id: string; name: string; users: number; max_users: number }[];
    over_quota: {
      id: string;
      name: string;
      rows: number | null;
      max_rows: number;
      storage: number | null;
      max_storage: number;
    }[];
  }>(sql`
    with w as materialized (
      select c.id, c.name, ${figure("users.total")}::int as users, ${figure("actions.30d")}::int as actions,
             ${figure("rows.total")} as rows, ${figure("storage.bytes")} as storage,
             coalesce((c.quota_overrides->>'maxUsers')::int, p.max_users) as max_users, l.max_rows, l.max_storage
        from ${figures} s join control.customers c on c.id = s.tenant_id join control.plans p on p.name = c.plan
        cross join lateral ${limitsOf})
    select ${list(ranked, sql`actions desc nulls last, name`, 10)} as actions,
           -- The 50 largest by rows: the top ten, and those over any placement threshold the
           -- overview asks about (it lists 50 at most).
           ${list(ranked, sql`rows desc nulls last, name`, 50)} as rows,
           ${list(ranked, sql`storage desc nulls last, name`, 10)} as storage,
           ${list(sql`id, name, users, max_users`, sql`users::float / greatest(max_users, 1) desc`, 50, sql`users >= 0.8 * max_users`)} as at_quota,
           -- Over a rows or storage limit, by these figures.
           ${list(
             sql`id, name, rows, max_rows, storage, max_storage`,
             sql`greatest(rows::float / greatest(max_rows, 1), storage::float / greatest(max_storage, 1)) desc`,
             50,
             sql`rows >= max_rows or storage >= max_storage`,
           )} as over_quota`);
  const largest = lists.rows;
  const top = { actions: lists.actions, rows: largest.slice(0, 10), storage: lists.storage };
  const [atQuota, overQuota] = [lists.at_quota, lists.over_quota];
  return {
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
    largest: largest.map(({ id, name, rows }) => ({ id, name, rows })),
  };
}

export type RunSummary = Awaited<ReturnType<typeof summarizeRun>>;

/**
 * A run's summary: the one its snapshot kept, or worked out now for a run from before them (which
 * wrote every customer's figures).
 */
async function summaryOf(tx: Tx, run: { id: string; summary: unknown }): Promise<RunSummary> {
  return (
    (run.summary as RunSummary | null) ??
    summarizeRun(
      tx,
      sql`(select tenant_id, figures from control.usage_snapshots where run_id = ${run.id})`,
    )
  );
}

async function countByStatus(tx: Tx) {
  const { rows } = await tx.execute<{ status: string; plan: string; n: number }>(
    sql`select status, plan, count(*)::int as n from control.customers group by 1, 2 order by 1, 2`,
  );
  return rows;
}

/**
 * The platform overview: customers by status and plan; the latest run's summary; and each
 * figure's total then against the runs nearest 7 and 30 days before it. Customers are counted
 * now up to COUNT_BELOW_ESTIMATE of them (the planner's estimate); above, as the latest run
 * counted them (`byStatusAt` says when), since counting them all would cost more than the page.
 */
export async function platformOverview(tx: Tx, placementThresholdRows: number) {
  const run = await latestRun(tx);
  const { rows: estimate } = await tx.execute<{ n: number }>(
    sql`select reltuples::float8 as n from pg_class where oid = 'control.customers'::regclass`,
  );
  const kept = (run?.summary as RunSummary | null)?.byStatus;
  const counted = !kept || estimate[0].n <= COUNT_BELOW_ESTIMATE;
  const byStatus = counted ? await countByStatus(tx) : kept;
  const byStatusAt = counted ? null : run!.startedAt;
  if (!run)
    return {
      run,
      byStatus,
      byStatusAt,
      totals: {} as Figures,
      top: { actions: [], rows: [], storage: [] },
      atQuota: [],
      overQuota: [],
      overThreshold: [],
      growth: [],
    };
  const { largest, byStatus: _counted, ...summary } = await summaryOf(tx, run);
  const overThreshold = largest.filter((c) => Number(c.rows) >= placementThresholdRows);
  const growth: { days: number; metric: string; total: number }[] = [];
  for (const days of [7, 30]) {
    const [then] = await tx
      .select()
      .from(usageRuns)
      .where(lte(usageRuns.startedAt, new Date(run.startedAt.getTime() - days * 86_400_000)))
      .orderBy(desc(usageRuns.startedAt))
      .limit(1);
    if (!then) continue;
    const { totals } = await summaryOf(tx, then);
    for (const metric of ["users.total", "rows.total", "actions.30d"])
      if (metric in totals) growth.push({ days, metric, total: totals[metric] });
  }
  return { run, byStatus, byStatusAt, ...summary, overThreshold, growth };
}
