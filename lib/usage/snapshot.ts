// The usage snapshot (docs/architecture.md §8): every customer's figures at one moment, computed
// set-wise (the data plane's rows read from its counters, not counted), written as one row to
// usage_snapshots for each customer whose figures changed since its latest row, with the run's
// summary of every customer's figures for the overview; older rows are rolled up. Pages read a
// row instead of scanning. One run at a time: a second one that finds the advisory lock taken
// skips instead of double-writing.
import "server-only";
import { randomUUID } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import { usageRuns } from "@/db/schema";
import { databasePool, PRIMARY_DATABASE } from "@/db/databases";
import { qualifiedName } from "@/lib/portability/tables";
import { withSystem, type Tx } from "@/db/tenant";
import { COUNTER_TRIGGERS, countedTables, rowsPerCustomerOfAll } from "./counters";
import { figureOf, summarizeRun } from "./queries";
import { noteQuotaCrossings } from "./quotas";

export const METRICS = {
  "users.total": "Console users",
  "users.active30": "Active users (signed in within 30 days)",
  "signins.30d": "Sign-ins in 30 days",
  "actions.30d": "Audited actions in 30 days",
  "activity.last": "Last activity",
  "rows.total": "Data-plane rows",
  "storage.bytes": "Storage (estimate)",
} as const;

export type SnapshotResult =
  | { skipped: true }
  | {
      skipped: false;
      runId: string;
      customers: number;
      /** The customers whose figures had changed: the rows the run wrote. */
      changed: number;
      figures: number;
      scopedTables: number;
      ms: number;
    };

/**
 * A data-plane table that is tenant-scoped: it has tenant_id and RLS forced (i.e. adopted).
 * `counted`: it carries the row counters (lib/usage/counters.ts).
 */
export async function scopedTables(
  tx: Tx,
): Promise<{ schema: string; table: string; bytes: number; counted: boolean }[]> {
  const { rows } = await tx.execute<{
    schema: string;
    table: string;
    bytes: string;
    counted: boolean;
  }>(sql`
    select n.nspname as schema, c.relname as table, pg_total_relation_size(c.oid) as bytes,
           exists (select 1 from pg_trigger g where g.tgrelid = c.oid and g.tgname = ${COUNTER_TRIGGERS[0]}) as counted
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
     where c.relkind in ('r', 'p') and c.relforcerowsecurity and not c.relispartition
       and n.nspname not in ('control', 'pg_catalog', 'information_schema')
       and has_table_privilege(c.oid, 'SELECT')
     order by 1, 2`);
  return rows.map((r) => ({ ...r, bytes: Number(r.bytes) }));
}

const LOCK = sql`hashtext('tenantry.usage-snapshot')`;

/**
 * Each customer's latest audit event, as (tenant_id, value in epoch seconds): its chain's head
 * for the sealed events (the sealer keeps it, migration 0079) and the few events not sealed yet
 * (a partial index), not the greatest time over the customer's whole log.
 */
export const LAST_ACTIVITY = sql`
  select tenant_id, extract(epoch from max(at))::bigint as value from (
    select chain as tenant_id, last_at as at from control.audit_chain where chain <> '' and last_at is not null
    union all
    select tenant_id, at from control.audit_events where hash is null and tenant_id is not null) latest
  group by 1`;

/**
 * Each customer's audit events from `since` on, as (tenant_id, value): its whole days after
 * since's day (UTC) from the counts the sealer keeps (control.audit_daily, migration 0081), and
 * from the log only since's own day from `since` on and the events not sealed yet after it.
 */
export function actionsSince(since: Date): SQL {
  const dayEnd = sql`((${since}::timestamptz at time zone 'UTC')::date + 1)::timestamp at time zone 'UTC'`;
  return sql`
    select tenant_id, sum(n) as value from (
      select chain as tenant_id, events as n from control.audit_daily
       where day > (${since}::timestamptz at time zone 'UTC')::date and chain <> ''
      union all
      select tenant_id, 1 from control.audit_events
       where tenant_id is not null and at >= ${since} and at < ${dayEnd}
      union all
      select tenant_id, 1 from control.audit_events
       where hash is null and tenant_id is not null and at >= ${dayEnd}) actions
    group by 1`;
}

/**
 * How far a table's bytes a row may move from those a run shared its storage out by (a ratio
 * either way) before the next run shares it out again at the new figure.
 */
const STORAGE_REBASE = 1.1;

/**
 * Rows per customer and table on every registered database but this one (and those offline),
 * for the customers placed there: read through the app's login there as the platform role,
 * from the counters where the table carries them (folded first), else by counting. A database
 * that cannot be read is skipped, and said so in the log; its customers read 0.
 */
async function countedElsewhere(
  tx: Tx,
  tables: { schema: string; table: string }[],
): Promise<{ table: string; tenantId: string; rows: number }[]> {
  const { rows: placed } = await tx.execute<{
    name: string;
    envVar: string;
    customers: string[];
  }>(sql`
    select d.name, d.env_var as "envVar", array_agg(c.id) as customers
      from control.databases d join control.customers c on c.database = d.name
     where d.name <> ${PRIMARY_DATABASE} and d.status <> 'offline'
     group by 1, 2`);
  const counted: { table: string; tenantId: string; rows: number }[] = [];
  for (const entry of placed) {
    const client = await databasePool(entry)
      .connect()
      .catch((error: Error) => {
        console.error(`usage snapshot: ${entry.name} is unreachable: ${error.message}`);
        return null;
      });
    if (!client) continue;
    try {
      // The fold is kept (its own transaction); the reads after it are only reads.
      await client.query("begin");
      await client.query("set local role tenantry_platform");
      await client.query("select tally.compact()");
      await client.query("commit");
      await client.query("begin read only");
      await client.query("set local role tenantry_platform");
      const withCounters = new Set((await countedTables(client)).map(qualifiedName));
      if (tables.length) {
        const perCustomer = rowsPerCustomerOfAll(tables, (t) => withCounters.has(qualifiedName(t)));
        const { rows } = await client.query<{ tenant_id: string; table: string; n: string }>(
          `select tenant_id, "table", n from (${perCustomer}) r where tenant_id = any($1)`,
          [entry.customers],
        );
        for (const r of rows)
          counted.push({ table: r.table, tenantId: r.tenant_id, rows: Number(r.n) });
      }
    } catch (error) {
      console.error(`usage snapshot: ${entry.name}: ${(error as Error).message}`);
    } finally {
      await client.query("rollback").catch(() => undefined);
      client.release();
    }
  }
  return counted;
}

/**
 * Each metric's place in a snapshot's array, registering those of `metrics` that have none (a
 * table adopted since gets the next place): the metric of each place from 1 to the last, null
 * where a place has none. A customer's array has the run's metrics in their places (0 where it
 * has nothing) and NULL in the others'.
 */
export async function metricPlaces(tx: Tx, metrics: string[]): Promise<(string | null)[]> {
  const { rows } = await tx.execute<{ name: string | null }>(sql`
    with added as (
      insert into control.usage_metrics (id, name)
      select (select coalesce(max(id), 0) from control.usage_metrics) + row_number() over (order by m), m
        from unnest(${sql.param(metrics)}::text[]) m
       where not exists (select 1 from control.usage_metrics x where x.name = m)
      returning id, name),
    every as (select id, name from control.usage_metrics union all select id, name from added)
    select e.name from generate_series(1, (select max(id) from every)) g
      left join every e on e.id = g order by g`);
  return rows.map((r) => r.name);
}

type Trigger = "command" | "refresh" | "periodic";

/** A snapshot in its own transaction, through the system door (the job and the command). */
export function takeSnapshot(trigger: Trigger, now = new Date()): Promise<SnapshotResult> {
  return withSystem("usage-snapshot", (tx) => snapshotIn(tx, trigger, now));
}

/**
 * A snapshot in the caller's transaction, which must bypass RLS (withPlatform for a
 * super-admin's Refresh, in that request's one transaction).
 */
export async function snapshotIn(
  tx: Tx,
  trigger: Trigger,
  now = new Date(),
): Promise<SnapshotResult> {
  const started = process.hrtime.bigint();
  const { rows } = await tx.execute<{ locked: boolean }>(
    sql`select pg_try_advisory_xact_lock(${LOCK}) as locked`,
  );
  if (!rows[0].locked) return { skipped: true };
  const runId = randomUUID();
  const since = new Date(now.getTime() - 30 * 86_400_000);
  // Each figure per customer, as (tenant_id, metric, value) rows; all written at once below.
  const parts: SQL[] = [];
  const figure = (metric: string, perCustomer: SQL) =>
    parts.push(
      sql`select tenant_id, ${metric}::text as metric, value::bigint as value from (${perCustomer}) v`,
    );

  figure(
    "users.total",
    sql`select tenant_id, count(*) as value from control.memberships group by 1`,
  );
  figure(
    "users.active30",
    sql`select m.tenant_id, count(distinct m.user_id) as value
          from control.memberships m join control.users u on u.id = m.user_id
          join control.sign_in_attempts a on a.email = u.email_key and a.succeeded and a.at >= ${since}
         group by 1`,
  );
  figure(
    "signins.30d",
    sql`select m.tenant_id, count(*) as value
          from control.memberships m join control.users u on u.id = m.user_id
          join control.sign_in_attempts a on a.email = u.email_key and a.succeeded and a.at >= ${since}
         group by 1`,
  );
  figure("actions.30d", actionsSince(since));
  figure("activity.last", LAST_ACTIVITY);

  // Each tenant-scoped table's rows per customer, read from its counters (folded first) where it
  // carries them, else counted, here for the customers that live here and on every other
  // registered database for the customers that live there (docs/architecture.md §13); the total
  // and the storage estimate are then derived from those per-table figures.
  await tx.execute(sql`select tally.compact()`);
  const tables = await scopedTables(tx);
  const elsewhere = await countedElsewhere(tx, tables);
  if (tables.length) {
    const perCustomer = sql.raw(rowsPerCustomerOfAll(tables, (t) => t.counted));
    // One row per customer and table already: each customer's from the one database it is on.
    parts.push(
      sql`select r.tenant_id, 'rows.' || r."table" as metric, r.n as value from (${perCustomer}) r
            join control.customers c on c.id = r.tenant_id and c.database = ${PRIMARY_DATABASE}
          union all
          select "tenantId", 'rows.' || "table", rows
            from jsonb_to_recordset(${JSON.stringify(elsewhere)}::jsonb) as x("tenantId" text, "table" text, rows bigint)`,
    );
  }
  // Rows and storage mean nothing before any table is tenant-scoped.
  const metrics = Object.keys(METRICS)
    .filter((m) => tables.length > 0 || !["rows.total", "storage.bytes"].includes(m))
    .concat(tables.map((t) => `rows.${t.schema}.${t.table}`));
  // Storage is estimated: each table's size on disk (with indexes and TOAST) shared out by each
  // customer's rows in it, at the bytes a row the latest run before used while the table's own
  // stays within STORAGE_REBASE of it. A customer's estimate then changes with its own rows, not
  // with each page another customer's rows add to a table (which would rewrite every customer).
  const sizes = tables.length
    ? sql.join(
        tables.map((t) => sql`(${`rows.${t.schema}.${t.table}`}, ${t.bytes}::numeric)`),
        sql`, `,
      )
    : sql`(null::text, null::numeric)`;
  const places = await metricPlaces(tx, metrics);
  const run = new Set(metrics);
  const inRun = (name: string | null): name is string => name !== null && run.has(name);
  const array = sql.join(
    places.map((p) =>
      inRun(p) ? sql`coalesce((d.figures ->> ${p})::bigint, 0)` : sql`null::bigint`,
    ),
    sql`, `,
  );
  // Every live customer gets every figure of the run: its figures gathered by metric, then laid
  // out in their places (all zeros for a customer with none), kept for this transaction; a row
  // is written for those whose figures differ from their latest row before this run. The
  // statement gives back the bytes a row it shared each table out by, for the run to keep.
  await tx.execute(
    sql`create temporary table usage_now (tenant_id text, figures bigint[]) on commit drop`,
  );
  const { rows: basis } = await tx.execute<{ metric: string; per_row: string }>(sql`
    with f as materialized (${sql.join(parts, sql` union all `)}),
    per_table as (select * from f where metric like 'rows.%.%'),
    before as (
      select b.key as metric, b.value::numeric as per_row
        from (select storage_basis from control.usage_runs
               where started_at <= ${now} order by started_at desc limit 1) r
        cross join jsonb_each_text(r.storage_basis) b),
    sizes as (
      select m.metric,
             case when m.per_row between p.per_row / ${STORAGE_REBASE} and p.per_row * ${STORAGE_REBASE}
                  then p.per_row else m.per_row end as per_row
        from (select b.metric, b.bytes / greatest(t.total, 1) as per_row
                from (values ${sizes}) b(metric, bytes)
                join (select metric, sum(value) as total from per_table group by 1) t on t.metric = b.metric) m
        left join before p on p.metric = m.metric),
    totals as (
      select t.tenant_id, m.metric, m.value
        from (select r.tenant_id, sum(r.value)::bigint as rows, sum(r.value * b.per_row)::bigint as bytes
                from per_table r left join sizes b on b.metric = r.metric
               group by 1) t
        cross join lateral (values ('rows.total', t.rows), ('storage.bytes', t.bytes)) m(metric, value)),
    docs as (
      select tenant_id, jsonb_object_agg(metric, value) as figures
        from (select * from f union all select * from totals) every group by 1),
    laid_out as (
      insert into usage_now
      select c.id, array[${array}]
        from control.customers c left join docs d on d.tenant_id = c.id
       where c.status <> 'deleted')
    select metric, per_row::text from sizes`);
  const storageBasis = Object.fromEntries(basis.map((b) => [b.metric, Number(b.per_row)]));
  const { rows: written } = await tx.execute<{ customers: number; changed: number }>(sql`
    with inserted as (
      insert into control.usage_snapshots (run_id, tenant_id, taken_at, figures)
      select ${runId}, n.tenant_id, ${now}, n.figures from usage_now n
       where n.figures is distinct from (
               select y.figures from control.usage_snapshots y
                where y.tenant_id = n.tenant_id and y.taken_at <= ${now}
                order by y.taken_at desc limit 1)
      returning tenant_id, figures),
    -- Each changed customer's size, for the move queues (a run dated before a customer's
    -- latest row leaves its size as that row has it).
    sized as (
      insert into control.usage_sizes (tenant_id, taken_at, rows)
      select i.tenant_id, ${now}, ${figureOf(sql`i.figures`, "rows.total")} from inserted i
      on conflict (tenant_id) do update set taken_at = excluded.taken_at, rows = excluded.rows
       where control.usage_sizes.taken_at <= excluded.taken_at)
    select (select count(*)::int from usage_now) as customers, count(*)::int as changed from inserted`);
  const { customers, changed } = written[0];
  const figures = customers * metrics.length;
  // Who crossed 80 % or 100 % of a limit since their figures before (only a changed one can).
  await noteQuotaCrossings(tx, runId, now);
  // The overview's figures of this run, worked out once from every customer's figures.
  const summary = await summarizeRun(tx, sql`usage_now`);
  await tx.insert(usageRuns).values({
    summary,
    storageBasis,
    id: runId,
    trigger,
    startedAt: now,
    finishedAt: new Date(),
    customers,
    changed,
    figures,
    scopedTables: tables.length,
  });
  await rollUp(tx, now);
  return {
    skipped: false,
    runId,
    customers,
    changed,
    figures,
    scopedTables: tables.length,
    ms: Number(process.hrtime.bigint() - started) / 1e6,
  };
}

/** How long each resolution is kept: every row, then the last of each hour, then of each day. */
export const ROLLUP = { everyRunDays: 2, hourlyDays: 90 } as const;

/**
 * Rolls the runs before `now` up: older than two days, only the last run of each hour stays;
 * older than 90 days, only the last of each day (UTC). A doomed run's row for a customer goes,
 * unless it is the customer's last in that hour (or day) and the kept run has none for it: then
 * it is the customer's figures as of the kept run, and moves to it. A customer's figures at each
 * kept run read as before, and the table holds at most one row per customer and hour, then day.
 */
export async function rollUp(tx: Tx, now: Date): Promise<void> {
  // The doomed runs first, each with the run it rolls into: a few, often none, read from the
  // small runs table, so the rows' statement below probes the key for those runs alone.
  const { rows: doomed } = await tx.execute<{ id: string; keeper: string }>(sql`
    select id, keeper from (
      select id, case when started_at < ${now}::timestamptz - make_interval(days => ${ROLLUP.hourlyDays})
                      then first_value(id) over (partition by date_trunc('day', started_at at time zone 'UTC') order by started_at desc)
                      else first_value(id) over (partition by date_trunc('hour', started_at at time zone 'UTC') order by started_at desc)
                 end as keeper
        from control.usage_runs
       where started_at < ${now}::timestamptz - make_interval(days => ${ROLLUP.everyRunDays})) r
     where id <> keeper`);
  if (doomed.length === 0) return;
  const [ids, keepers] = [doomed.map((d) => d.id), doomed.map((d) => d.keeper)];
  await tx.execute(sql`
    with doomed as (select * from unnest(${sql.param(ids)}::uuid[], ${sql.param(keepers)}::uuid[]) d(id, keeper)),
    rows as (
      select s.run_id, s.tenant_id, d.keeper,
             row_number() over (partition by d.keeper, s.tenant_id order by s.taken_at desc) = 1
               and not exists (select 1 from control.usage_snapshots k
                                where k.run_id = d.keeper and k.tenant_id = s.tenant_id) as moves
        from control.usage_snapshots s join doomed d on d.id = s.run_id
       where s.run_id = any(${sql.param(ids)}::uuid[])),
    gone as (
      delete from control.usage_snapshots s using rows r
       where s.run_id = r.run_id and s.tenant_id = r.tenant_id
      returning s.tenant_id, s.figures, r.keeper, r.moves),
    moved as (
      insert into control.usage_snapshots (run_id, tenant_id, taken_at, figures)
      select g.keeper, g.tenant_id, k.started_at, g.figures
        from gone g join control.usage_runs k on k.id = g.keeper where g.moves)
    delete from control.usage_runs where id = any(${sql.param(ids)}::uuid[])`);
}
