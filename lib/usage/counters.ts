// Row counters (docs/architecture.md §8): each customer table carries four triggers that keep
// its rows per customer in tally.row_counts (migration 0050), folded into tally.row_totals (0061)
// and read together as tally.counts, so a usage snapshot sums a few rows per customer and table
// instead of counting the data plane. Made on the tables that lack them by sync, by moves and by
// the reconcile; the reconcile also compares every count with an exact one, one table at a
// time, and mends and reports any drift.
import "server-only";
import type { OwnerClient } from "@/db/owner";
import { customerTables, qualifiedName } from "@/lib/portability/tables";

/** The counter triggers' names: sync and adoption know them as the platform's, not the schema's. */
export const COUNTER_TRIGGERS = [
  "tally_inserted",
  "tally_deleted",
  "tally_moved",
  "tally_truncated",
];

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

type Named = { schema: string; table: string };
const onlyFor = (tenantId: string | undefined, where: "where" | "and", column = "tenant_id") =>
  tenantId ? `${where} ${column} = ${literal(tenantId)}` : "";

/** The SQL that reads a counted table's rows per customer (or one's): `tenant_id` and `n`. */
export const countedRows = (t: Named, tenantId?: string) =>
  `select customer_id as tenant_id, sum(n)::bigint as n from tally.counts
    where relid = to_regclass(${literal(qualifiedName(t))}) ${onlyFor(tenantId, "and", "customer_id")}
    group by 1 having sum(n) <> 0`;

/** The SQL that counts a table's rows per customer (or one's) exactly: `tenant_id` and `n`. */
export const scannedRows = (t: Named, tenantId?: string) =>
  `select tenant_id, count(*)::bigint as n from ${qualifiedName(t)} ${onlyFor(tenantId, "where")} group by 1`;

/**
 * The SQL that reads a table's rows per customer (or one's): from its counters when it carries
 * them (`counted`), else by an exact count.
 */
export const rowsPerCustomer = (t: Named, counted: boolean, tenantId?: string) =>
  counted ? countedRows(t, tenantId) : scannedRows(t, tenantId);

/**
 * The SQL that reads every one of `tables`' rows per customer, in one statement: `tenant_id`,
 * `table` (schema.table) and `n`. The counted ones (`counted`) in one pass over the totals,
 * which hold customers × tables rows, each joined with what was appended since the last fold
 * (summed first, a few rows after a fold): grouping the two together would sort or hash every
 * total again. The others by an exact count each.
 */
export function rowsPerCustomerOfAll<T extends Named>(
  tables: T[],
  counted: (t: T) => boolean,
): string {
  const name = (t: Named) => literal(`${t.schema}.${t.table}`);
  const withCounters = tables.filter(counted);
  return [
    ...(withCounters.length
      ? [
          `select c.customer_id as tenant_id, t.name as "table", c.n
             from (select relid, customer_id, coalesce(f.n, 0) + coalesce(d.n, 0) as n
                     from tally.row_totals f
                     full join (select relid, customer_id, sum(n)::bigint as n from tally.row_counts group by 1, 2) d
                       using (relid, customer_id)) c
             join (values ${withCounters.map((t) => `(to_regclass(${literal(qualifiedName(t))})::oid, ${name(t)})`).join(", ")}) t(relid, name)
               on t.relid = c.relid
            where c.n <> 0`,
        ]
      : []),
    ...tables
      .filter((t) => !counted(t))
      .map((t) => `select tenant_id, ${name(t)} as "table", n from (${scannedRows(t)}) s`),
  ].join(" union all ");
}

/**
 * One customer's rows in each of `tables`, in one statement: from the counters where the table
 * carries them (a few rows each, whatever the customer's size), by an exact count where not.
 */
export async function customerRowCounts(
  client: Pick<OwnerClient, "query">,
  tables: Named[],
  tenantId: string,
): Promise<number[]> {
  if (!tables.length) return [];
  const counted = new Set((await countedTables(client)).map(qualifiedName));
  const { rows } = await client.query<Record<string, string>>(
    `select ${tables
      .map(
        (t, i) =>
          `(select coalesce(sum(n), 0) from (${rowsPerCustomer(t, counted.has(qualifiedName(t)), tenantId)}) r) as n${i}`,
      )
      .join(", ")}`,
  );
  return tables.map((_, i) => Number(rows[0][`n${i}`]));
}

/** The tables on this database that carry the counters. */
export async function countedTables(client: Pick<OwnerClient, "query">): Promise<Named[]> {
  const { rows } = await client.query<Named>(
    `select n.nspname as schema, c.relname as table
       from pg_trigger g join pg_class c on c.oid = g.tgrelid join pg_namespace n on n.oid = c.relnamespace
      where g.tgname = $1 and g.tgparentid = 0 and not c.relispartition order by 1, 2`,
    [COUNTER_TRIGGERS[0]],
  );
  return rows;
}

/**
 * A table's state as to the counters: whether it carries them, whether its tally_moved is still
 * an AFTER trigger (made before migration 0074: the BEFORE bit of tgtype unset), and its
 * partitions that lack them.
 */
const COUNTER_STATE = `
  select exists (select 1 from pg_trigger g where g.tgrelid = r.oid and g.tgname = $2) as counted,
         exists (select 1 from pg_trigger g where g.tgrelid = r.oid and g.tgname = 'tally_moved'
                    and g.tgtype & 2 = 0) as "movedAfter",
         coalesce((select json_agg(json_build_object('schema', n.nspname, 'table', c.relname, 'leaf', p.isleaf) order by n.nspname, c.relname)
                     from pg_partition_tree(r.oid) p
                     join pg_class c on c.oid = p.relid join pg_namespace n on n.oid = c.relnamespace
                    where p.relid <> r.oid
                      and not exists (select 1 from pg_trigger g where g.tgrelid = p.relid and g.tgname = $2)),
                  '[]') as partitions
    from unnest($1::regclass[]) with ordinality r(oid, i) order by r.i`;

type CounterState = {
  counted: boolean;
  movedAfter: boolean;
  partitions: (Named & { leaf: boolean })[];
};

/**
 * The counters' triggers on a table, or on a partition. A statement fires the statement triggers
 * of the table it names only, so a partition counts its own inserts and deletes (under its
 * table: migration 0070), and a leaf counts its rows away before a TRUNCATE of it. tally_moved,
 * a row trigger, reaches the partitions from the table; it fires BEFORE the update, since an
 * update that moves a row to another partition fires no AFTER UPDATE trigger (migration 0074).
 */
const counterTriggers = (name: string, kind: "table" | "partition" | "leaf") =>
  `create trigger tally_inserted after insert on ${name}
     referencing new table as inserted for each statement execute function tally.count_rows();
   create trigger tally_deleted after delete on ${name}
     referencing old table as deleted for each statement execute function tally.count_rows();` +
  (kind === "table"
    ? `${movedTrigger(name)}
       create trigger tally_truncated after truncate on ${name}
         for each statement execute function tally.count_truncated();`
    : kind === "leaf"
      ? `create trigger tally_truncated before truncate on ${name}
           for each statement execute function tally.count_partition_truncated();`
      : "");

const movedTrigger = (name: string) =>
  `create trigger tally_moved before update of tenant_id on ${name}
     for each row when (old.tenant_id is distinct from new.tenant_id) execute function tally.count_moved();`;

/**
 * Puts the counters on every customer table that lacks them, and on its partitions, each table
 * in its own transaction with its first counts: making the triggers locks out the table's writers
 * (its partitions' too) until the count is in, so none is missed or counted twice (once per
 * table, as long as one count of it takes). A partition added to a counted table later gets them
 * without a count: a write straight to it before then is the reconcile's to find. A tally_moved
 * made as an AFTER trigger (before migration 0074) is made again as a BEFORE one, under the same
 * lock. Returns the tables it counted, and the partitions it put the counters on.
 */
export async function ensureRowCounters(client: OwnerClient, known?: Named[]): Promise<string[]> {
  const tables = known ?? (await customerTables(client));
  const state = async (names: string[]) =>
    (await client.query<CounterState>(COUNTER_STATE, [names, COUNTER_TRIGGERS[0]])).rows;
  const made: string[] = [];
  const names = tables.map(qualifiedName);
  const lacking = (await state(names)).flatMap((t, i) =>
    !t.counted || t.movedAfter || t.partitions.length ? [names[i]] : [],
  );
  for (const name of lacking) {
    await client.query("begin");
    try {
      // Self-exclusive: of two at once (the reconcile and an adoption's end), the second finds
      // the counters made and leaves them.
      await client.query(`lock table ${name} in share row exclusive mode`);
      const [now] = await state([name]);
      const partitions = now.partitions.map((p) => ({ ...p, name: qualifiedName(p) }));
      for (const p of partitions)
        await client.query(counterTriggers(p.name, p.leaf ? "leaf" : "partition"));
      if (now.movedAfter)
        await client.query(`drop trigger tally_moved on ${name}; ${movedTrigger(name)}`);
      if (!now.counted)
        await client.query(`${counterTriggers(name, "table")}
          delete from tally.row_counts where relid = ${literal(name)}::regclass;
          delete from tally.row_totals where relid = ${literal(name)}::regclass;
          insert into tally.row_totals (relid, customer_id, n)
            select ${literal(name)}::regclass, tenant_id, count(*) from ${name} group by 2;`);
      await client.query("commit");
      made.push(...(now.counted ? [] : [name]), ...partitions.map((p) => p.name));
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw new Error(`Counting the rows of ${name} failed: ${(error as Error).message}`);
    }
  }
  return made;
}

/** The statements that take the counters off the schema's tables (a revert's first step). */
export async function counterDrops(client: OwnerClient, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ schema: string; table: string; trigger: string }>(
    `select n.nspname as schema, c.relname as table, g.tgname as trigger
       from pg_trigger g join pg_class c on c.oid = g.tgrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and g.tgname = any($2) and g.tgparentid = 0`,
    [schema, COUNTER_TRIGGERS],
  );
  return rows.map((r) => `drop trigger ${r.trigger} on ${qualifiedName(r)}`);
}

export interface Drift {
  table: string;
  tenantId: string;
  counted: number;
  actual: number;
}

/**
 * Compares each counted table's counts with an exact count and mends what differs. Each table
 * in its own repeatable-read transaction, so the count and the counters are read at one moment
 * (a statement writes its rows and its counts together), with a pause between tables: it
 * yields to the application's work rather than racing it. `tenantId` narrows it to one
 * customer (after a move, whose replicated rows no statement trigger saw).
 */
export async function reconcileRowCounts(
  client: OwnerClient,
  options: { tenantId?: string; pauseMs?: number } = {},
): Promise<{ tables: number; drift: Drift[] }> {
  const tables = await countedTables(client);
  const drift: Drift[] = [];
  for (const t of tables) {
    await client.query("begin isolation level repeatable read");
    try {
      drift.push(...(await mendRowCounts(client, t, options.tenantId)));
      await client.query("commit");
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    }
    if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
  }
  return { tables: tables.length, drift };
}

/**
 * One counted table's counts compared with an exact count, in the caller's transaction (as the
 * owner), and what differs mended: for every customer, or `tenantId`'s. What differed.
 */
export async function mendRowCounts(
  client: Pick<OwnerClient, "query">,
  t: Named,
  tenantId?: string,
): Promise<Drift[]> {
  const { rows } = await client.query<{ tenant_id: string; counted: string; actual: string }>(
    `select tenant_id, coalesce(c.n, 0)::text as counted, coalesce(a.n, 0)::text as actual
       from (${countedRows(t, tenantId)}) c
       full join (${scannedRows(t, tenantId)}) a using (tenant_id)
      where coalesce(c.n, 0) <> coalesce(a.n, 0)`,
  );
  const drift: Drift[] = [];
  for (const r of rows) {
    const [counted, actual] = [Number(r.counted), Number(r.actual)];
    drift.push({ table: `${t.schema}.${t.table}`, tenantId: r.tenant_id, counted, actual });
    await client.query(
      "insert into tally.row_counts (relid, customer_id, n) values (to_regclass($1), $2, $3)",
      [qualifiedName(t), r.tenant_id, actual - counted],
    );
  }
  return drift;
}

/**
 * The customer's counts on every counted table mended, in the caller's transaction (as the
 * owner): after its rows were written or deleted past the counting triggers (replica mode).
 */
export async function mendCustomerRowCounts(
  client: Pick<OwnerClient, "query">,
  tenantId: string,
): Promise<void> {
  for (const t of await countedTables(client)) await mendRowCounts(client, t, tenantId);
}

/**
 * Compares each customer's maintained user count (customers.user_count, migration 0047) with
 * its memberships and mends what differs.
 */
export function reconcileUserCounts(client: OwnerClient): Promise<Drift[]> {
  return inOneMoment(client, async () => {
    const { rows } = await client.query<{ id: string; counted: number; actual: number }>(
      `select c.id, c.user_count as counted, coalesce(m.n, 0)::int as actual
         from control.customers c
         left join (select tenant_id, count(*) as n from control.memberships group by 1) m on m.tenant_id = c.id
        where c.user_count <> coalesce(m.n, 0)`,
    );
    for (const r of rows)
      await client.query("update control.customers set user_count = $2 where id = $1", [
        r.id,
        r.actual,
      ]);
    return rows.map((r) => ({
      table: "control.memberships",
      tenantId: r.id,
      counted: r.counted,
      actual: r.actual,
    }));
  });
}

/**
 * Compares each customer's metered event totals per month and kind (control.usage_event_totals,
 * migration 0077) with its events and mends what differs: the events or their quantity. A
 * total's drift names the month and kind after the table.
 */
export function reconcileEventTotals(client: OwnerClient): Promise<Drift[]> {
  return inOneMoment(client, async () => {
    const { rows } = await client.query<{
      tenant_id: string;
      month: string;
      kind: string;
      counted: string;
      actual: string;
      quantity: string;
    }>(
      `select tenant_id, month, kind, coalesce(t.events, 0)::text as counted,
              coalesce(e.events, 0)::text as actual, coalesce(e.quantity, 0)::text as quantity
         from (select tenant_id, month, kind, events, quantity from control.usage_event_totals) t
         full join (select tenant_id, to_char(occurred_at at time zone 'UTC', 'YYYY-MM') as month, kind,
                           count(*) as events, sum(quantity) as quantity
                      from control.usage_events group by 1, 2, 3) e using (tenant_id, month, kind)
        where coalesce(t.events, 0) <> coalesce(e.events, 0)
           or coalesce(t.quantity, 0) <> coalesce(e.quantity, 0)`,
    );
    for (const r of rows)
      await client.query(
        `insert into control.usage_event_totals (tenant_id, month, kind, events, quantity)
         values ($1, $2, $3, $4, $5)
         on conflict (tenant_id, month, kind) do update set events = excluded.events, quantity = excluded.quantity`,
        [r.tenant_id, r.month, r.kind, r.actual, r.quantity],
      );
    return rows.map((r) => ({
      table: `control.usage_events ${r.month} ${r.kind}`,
      tenantId: r.tenant_id,
      counted: Number(r.counted),
      actual: Number(r.actual),
    }));
  });
}

/**
 * `work` in one repeatable-read transaction, so a maintained figure and what it counts are read
 * at one moment. A write meanwhile makes the mend fail to serialize; it then tries once more.
 */
async function inOneMoment<T>(client: OwnerClient, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await client.query("begin isolation level repeatable read");
    try {
      const result = await work();
      await client.query("commit");
      return result;
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      if ((error as { code?: string }).code !== "40001" || attempt >= 2) throw error;
    }
  }
}
