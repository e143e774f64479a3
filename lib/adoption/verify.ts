// Verification (docs/architecture.md §9): is each table of a schema tenant-isolated, right now? Reads the
// catalog and the data of a live database — adopted by the engine, by hand, or half of each —
// and probes as tenantry_tenant under a second customer. It is the adoption run's last step and
// the dashboard's coverage report. Read-only, apart from the probe's role switch, which it undoes.
import "server-only";
import { findTenantPolicy, POLICIES_JSON, type PolicyRow } from "@/db/guard";
import type { OwnerClient } from "@/db/owner";
import { generateCustomerId } from "@/lib/customers/ids";
import { ident as q, qualified } from "./sql";

export type TableState = "isolated" | "partial" | "not isolated" | "global";

export interface TableStatus {
  table: string;
  state: TableState;
  rows: number;
  column: boolean;
  notNull: boolean;
  defaultFromSetting: boolean;
  indexed: boolean;
  /** Foreign keys to tables that carry the tenant column, and how many of them include it. */
  foreignKeys: { total: number; composite: number };
  rlsEnabled: boolean;
  rlsForced: boolean;
  policy: boolean;
  views: { name: string; invoker: boolean }[];
  nullTenants: number;
  crossTenantRefs: number;
  /** The largest owners first (at most five), and how many customers own rows here. */
  rowsPerCustomer: { tenant: string; rows: number }[];
  customers: number;
  /**
   * Order-independent checksum of the rows over every column but the tenant column (see
   * scanTable); null when the verification was asked for none (VerifyOptions.checksums).
   */
  checksum: string | null;
  /** What breaks isolation; empty when isolated. */
  problems: string[];
  /** What does not break it but adoption would have done: the default, the index, the grant. */
  warnings: string[];
}

export interface VerifyReport {
  schema: string;
  column: string;
  checkedAt: string;
  tables: TableStatus[];
  probe: { ok: boolean; asCustomer: string; ofCustomer: string | null; detail: string };
  summary: {
    total: number;
    isolated: number;
    global: number;
    partial: number;
    notIsolated: number;
    text: string;
  };
  ok: boolean;
}

interface CatalogRow {
  name: string;
  columns: string[];
  rls_enabled: boolean;
  rls_forced: boolean;
  has_column: boolean;
  not_null: boolean;
  default_expr: string | null;
  indexed: boolean;
  tenant_can_read: boolean;
  policies: PolicyRow[];
  foreign_keys: {
    name: string;
    ref_schema: string;
    ref_table: string;
    columns: string[];
    ref_columns: string[];
    ref_has_column: boolean;
    includes_tenant: boolean;
  }[];
  views: { name: string; invoker: boolean }[];
}

/** The tables of `schema` (partitions answer through their parent) with what verification needs of each. */
async function readCatalog(
  client: OwnerClient,
  schema: string,
  column: string,
): Promise<CatalogRow[]> {
  const { rows } = await client.query<CatalogRow>(
    `select c.relname as name, c.relrowsecurity as rls_enabled, c.relforcerowsecurity as rls_forced,
            coalesce((select array_agg(x.attname::text order by x.attnum) from pg_attribute x where x.attrelid = c.oid and x.attnum > 0 and not x.attisdropped), '{}') as columns,
            a.attnum is not null as has_column, coalesce(a.attnotnull, false) as not_null,
            pg_get_expr(d.adbin, d.adrelid) as default_expr,
            coalesce(exists (select 1 from pg_index i where i.indrelid = c.oid and i.indkey[0] = a.attnum), false) as indexed,
            has_table_privilege('tenantry_tenant', c.oid, 'select') as tenant_can_read,
            ${POLICIES_JSON} as policies,
            coalesce((select jsonb_agg(jsonb_build_object(
                'name', k.conname, 'ref_schema', rn.nspname, 'ref_table', r.relname,
                'columns', (select array_agg(x.attname order by u.n) from unnest(k.conkey) with ordinality u(attnum, n) join pg_attribute x on x.attrelid = k.conrelid and x.attnum = u.attnum),
                'ref_columns', (select array_agg(x.attname order by u.n) from unnest(k.confkey) with ordinality u(attnum, n) join pg_attribute x on x.attrelid = k.confrelid and x.attnum = u.attnum),
                'ref_has_column', ra.attnum is not null,
                'includes_tenant', exists (select 1 from unnest(k.conkey, k.confkey) u(child, parent) where u.child = a.attnum and u.parent = ra.attnum))
                order by k.conname)
              from pg_constraint k join pg_class r on r.oid = k.confrelid join pg_namespace rn on rn.oid = r.relnamespace
              left join pg_attribute ra on ra.attrelid = r.oid and ra.attname = $2 and not ra.attisdropped
             where k.conrelid = c.oid and k.contype = 'f'), '[]') as foreign_keys,
            coalesce((select jsonb_agg(distinct jsonb_build_object('name', v.relname,
                'invoker', coalesce(exists (select 1 from unnest(v.reloptions) o where o ~* '^security_invoker=(true|on|yes|1)$'), false)))
              from pg_depend dep join pg_rewrite w on w.oid = dep.objid join pg_class v on v.oid = w.ev_class
             where dep.refobjid = c.oid and dep.classid = 'pg_rewrite'::regclass and v.oid <> c.oid), '[]') as views
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       left join pg_attribute a on a.attrelid = c.oid and a.attname = $2 and not a.attisdropped
       left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
      where n.nspname = $1 and c.relkind in ('r', 'p') and not c.relispartition
        -- An extension's tables are the extension's: adoption leaves them alone.
        and not exists (select 1 from pg_depend e where e.classid = 'pg_class'::regclass and e.objid = c.oid and e.deptype = 'e')
      order by c.relname`,
    [schema, column],
  );
  return rows;
}

/**
 * One pass over a table: its rows per owner (when it has the tenant column) and a checksum of its
 * content over every column but the tenant column — the same columns before an adoption, after
 * it and after its revert. The checksum is the sum of a 64-bit hash of each row, so row order
 * does not matter. hash_record_extended needs every column type to be hashable; a table with one
 * that is not (json, point) is hashed as text instead, slower but total.
 */
async function scanTable(
  client: OwnerClient,
  schema: string,
  table: CatalogRow,
  column: string,
  checksum = true,
) {
  const content = table.columns.filter((c) => c !== column);
  const row = `row(${content.map(q).join(", ")})`;
  const from = qualified(schema, table.name);
  const owner = table.has_column ? q(column) : "null::text";
  // Summed in the database, so 10 000 customers cost one row back, not 10 000.
  const scan = (hash: string) =>
    client.query<{
      rows: string;
      checksum: string;
      customers: number;
      nulls: string | null;
      top: { tenant: string; rows: number }[] | null;
    }>(
      `with g as (select ${owner} as tenant, count(*) as rows, sum(${hash}) as checksum from ${from} ${table.has_column ? "group by 1" : ""})
       select coalesce(sum(rows), 0)::text as rows, coalesce(sum(checksum), 0)::text as checksum,
              (count(*) filter (where tenant is not null))::int as customers,
              (sum(rows) filter (where tenant is null))::text as nulls,
              (select json_agg(json_build_object('tenant', t.tenant, 'rows', t.rows) order by t.rows desc, t.tenant)
                 from (select tenant, rows from g where tenant is not null order by rows desc, tenant limit 5) t) as top
         from g`,
    );
  let result;
  if (!checksum) result = (await scan("0")).rows[0];
  else {
    await client.query("savepoint scan");
    try {
      result = (await scan(`hash_record_extended(${row}, 0)`)).rows[0];
      await client.query("release savepoint scan");
    } catch {
      await client.query("rollback to savepoint scan");
      result = (await scan(`('x' || substr(md5(${row}::text), 1, 16))::bit(64)::bigint`)).rows[0];
    }
  }
  return {
    rows: Number(result.rows),
    checksum: checksum ? result.checksum : null,
    customers: result.customers,
    nullTenants: Number(result.nulls ?? 0),
    top: (result.top ?? []).map((o) => ({ tenant: o.tenant, rows: Number(o.rows) })),
  };
}

/** Rows and content checksum of every table of the schema, to compare before and after a run. */
export async function contentSnapshot(
  client: OwnerClient,
  schema: string,
  column: string,
): Promise<Map<string, { rows: number; checksum: string }>> {
  const result = new Map<string, { rows: number; checksum: string }>();
  for (const t of await readCatalog(client, schema, column)) {
    const { rows, checksum } = await scanTable(client, schema, { ...t, has_column: false }, column);
    result.set(t.name, { rows, checksum: checksum! });
  }
  return result;
}

const count = async (client: OwnerClient, text: string, values: unknown[] = []) =>
  Number((await client.query<{ n: string }>(text, values)).rows[0].n);

export interface VerifyOptions {
  column?: string;
  /** Tables the adoption left as global reference data. */
  globalTables?: string[];
  /** Connections in the caller's snapshot (withSnapshotReaders): the tables are read side by side. */
  readers?: OwnerClient[];
  /**
   * Whether to take each table's content checksum (default true): a run that compares none
   * reads the rows per customer only, which costs a fraction of hashing every row.
   */
  checksums?: boolean;
}

/**
 * Checks every table of `schema`. Run it inside a transaction: the probe switches role with
 * `set local`. Its counts read every row, so it takes about as long as a scan of the schema.
 */
export async function verifySchema(
  client: OwnerClient,
  schema: string,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const column = options.column ?? "tenant_id";
  const global = new Set(options.globalTables ?? []);
  const catalog = await readCatalog(client, schema, column);
  const col = q(column);

  const tableStatus = async (client: OwnerClient, t: CatalogRow): Promise<TableStatus> => {
    const problems: string[] = [];
    const warnings: string[] = [];
    let crossTenantRefs = 0;
    const scopedFks = t.foreign_keys.filter((f) => f.ref_has_column);
    const policy = t.has_column && findTenantPolicy(t.policies, column) !== undefined;
    const defaultFromSetting = Boolean(t.default_expr?.includes("current_setting('app.tenant_id'"));
    const scan = await scanTable(client, schema, t, column, options.checksums ?? true);
    // Without the column every row is "without a customer": that is the "not isolated" state, not a count.
    const nullTenants = t.has_column ? scan.nullTenants : 0;
    if (t.has_column) {
      // A foreign key without the tenant column lets a row point at another customer's row: count those that do.
      for (const f of scopedFks.filter((k) => !k.includes_tenant)) {
        const on = f.columns.map((c, i) => `p.${q(f.ref_columns[i])} = c.${q(c)}`).join(" and ");
        const n = await count(
          client,
          `select count(*) as n from ${qualified(schema, t.name)} c join ${qualified(f.ref_schema, f.ref_table)} p on ${on} where p.${col} is distinct from c.${col}`,
        );
        crossTenantRefs += n;
        problems.push(
          `foreign key ${f.name} → ${f.ref_table} does not include ${column}${n ? `: ${n} rows point at another customer's row` : ""}`,
        );
      }
      if (!t.not_null) problems.push(`${column} allows NULL`);
      if (nullTenants > 0) problems.push(`${nullTenants} rows belong to no customer`);
      if (!t.rls_enabled) problems.push("row-level security is not enabled");
      if (!t.rls_forced)
        problems.push("row-level security is not forced: the table's owner bypasses it");
      if (!policy) problems.push(`no tenant policy on ${column}`);
      for (const v of t.views.filter((x) => !x.invoker))
        problems.push(`view ${v.name} runs as its owner, so it bypasses row-level security`);
      if (!defaultFromSetting)
        warnings.push(`new rows do not take ${column} from the tenant setting`);
      if (!t.indexed)
        warnings.push(
          `no index leads with ${column}: every customer's query scans the others' rows`,
        );
      if (!t.tenant_can_read)
        warnings.push("tenantry_tenant has no access: the platform cannot serve this table yet");
    } else {
      if (!global.has(t.name))
        problems.push(`no ${column} column: every customer would see every row`);
    }
    for (const f of t.foreign_keys.filter(
      (k) =>
        !k.ref_has_column && k.ref_schema === schema && !global.has(k.ref_table) && t.has_column,
    )) {
      warnings.push(`foreign key ${f.name} points at ${f.ref_table}, which is not scoped`);
    }

    const state: TableState = !t.has_column
      ? global.has(t.name)
        ? "global"
        : "not isolated"
      : problems.length
        ? "partial"
        : "isolated";
    return {
      table: t.name,
      state,
      rows: scan.rows,
      column: t.has_column,
      notNull: t.not_null,
      defaultFromSetting,
      indexed: t.indexed,
      foreignKeys: {
        total: scopedFks.length,
        composite: scopedFks.filter((f) => f.includes_tenant).length,
      },
      rlsEnabled: t.rls_enabled,
      rlsForced: t.rls_forced,
      policy,
      views: t.views,
      nullTenants,
      crossTenantRefs,
      rowsPerCustomer: scan.top,
      customers: scan.customers,
      checksum: scan.checksum,
      problems,
      warnings,
    };
  };
  const tables = await spread([client, ...(options.readers ?? [])], catalog, tableStatus);

  const readable = new Set(
    catalog.filter((t) => t.has_column && t.tenant_can_read).map((t) => t.name),
  );
  const probe = await probeAsAnotherCustomer(client, schema, column, tables, readable);
  return reportOf(schema, column, tables, probe);
}

/**
 * `work` on each item, over the clients side by side (each one item at a time), the results in
 * the items' order. The first failure stops the others before their next item, and is thrown.
 */
async function spread<T, R>(
  clients: OwnerClient[],
  items: T[],
  work: (client: OwnerClient, item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  let failed = false;
  await Promise.all(
    clients.map(async (client) => {
      for (let i = next++; i < items.length && !failed; i = next++) {
        try {
          results[i] = await work(client, items[i]);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  return results;
}

function reportOf(
  schema: string,
  column: string,
  tables: TableStatus[],
  probe: VerifyReport["probe"],
): VerifyReport {
  const by = (state: TableState) => tables.filter((t) => t.state === state).length;
  const summary = {
    total: tables.length,
    isolated: by("isolated"),
    global: by("global"),
    partial: by("partial"),
    notIsolated: by("not isolated"),
  };
  const text =
    `${summary.isolated} of ${summary.total} tables isolated` +
    (summary.global ? `; ${summary.global} global` : "") +
    (summary.partial ? `; ${summary.partial} partly` : "") +
    (summary.notIsolated ? `; ${summary.notIsolated} not isolated` : "");
  return {
    schema,
    column,
    checkedAt: new Date().toISOString(),
    tables,
    probe,
    summary: { ...summary, text },
    ok: tables.length > 0 && summary.partial === 0 && summary.notIsolated === 0 && probe.ok,
  };
}

const WORST: TableState[] = ["not isolated", "partial", "isolated", "global"];

/**
 * One report of a schema over several databases (docs/architecture.md §13): the primary's, with
 * each other database's rows and customers added and its problems and warnings named by the
 * database. A table or a probe that fails on any database fails the whole; a table missing there
 * is a warning (it holds nothing to leak).
 */
export function mergeReports(
  primary: VerifyReport,
  others: { database: string; report: VerifyReport }[],
): VerifyReport {
  const tables = primary.tables.map((t) => ({ ...t }));
  let probe = primary.probe;
  for (const { database, report } of others) {
    const on = (text: string) => `on ${database}: ${text}`;
    for (const t of tables) {
      const there = report.tables.find((o) => o.table === t.table);
      if (!there) {
        // Sync makes the primary's isolated tables there: one missing there holds no rows to
        // leak, but customers placed there cannot use it yet.
        if (t.column && t.rlsForced)
          t.warnings = [
            ...t.warnings,
            on(`the table is missing (npm run databases -- sync ${database})`),
          ];
        continue;
      }
      t.rows += there.rows;
      t.customers += there.customers;
      t.nullTenants += there.nullTenants;
      t.crossTenantRefs += there.crossTenantRefs;
      t.checksum =
        t.checksum === null || there.checksum === null
          ? null
          : (BigInt(t.checksum) + BigInt(there.checksum)).toString();
      t.rowsPerCustomer = [...t.rowsPerCustomer, ...there.rowsPerCustomer]
        .sort((a, b) => b.rows - a.rows)
        .slice(0, 5);
      t.problems = [...t.problems, ...there.problems.map(on)];
      t.warnings = [...t.warnings, ...there.warnings.map(on)];
      t.state = WORST.find((s) => s === t.state || s === there.state)!;
    }
    if (probe.ok && !report.probe.ok) probe = { ...report.probe, detail: on(report.probe.detail) };
  }
  return reportOf(primary.schema, primary.column, tables, probe);
}

/**
 * As tenantry_tenant, under a customer that is not the largest owner, count the largest owner's
 * rows in every table with the column: each count must be 0. A failing table gets the problem.
 */
async function probeAsAnotherCustomer(
  client: OwnerClient,
  schema: string,
  column: string,
  tables: TableStatus[],
  /** The tables with the column that tenantry_tenant may read; the others it cannot see into at all. */
  readableByTenant: Set<string>,
): Promise<VerifyReport["probe"]> {
  const owners = new Map<string, number>();
  for (const t of tables)
    for (const o of t.rowsPerCustomer) owners.set(o.tenant, (owners.get(o.tenant) ?? 0) + o.rows);
  const first = [...owners.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const { rows: others } = await client.query<{ id: string }>(
    "select id from control.customers where id is distinct from $1 order by created_at limit 1",
    [first],
  );
  const second = others[0]?.id ?? generateCustomerId();
  const readable = tables.filter((t) => readableByTenant.has(t.table));
  if (!first || readable.length === 0) {
    return {
      ok: true,
      asCustomer: second,
      ofCustomer: first,
      detail: first
        ? "no table is readable as the tenant role yet"
        : "no rows belong to any customer yet",
    };
  }
  const seen: string[] = [];
  await client.query("savepoint probe");
  try {
    await client.query("set local role tenantry_tenant");
    await client.query("select set_config('app.tenant_id', $1, true)", [second]);
    for (const t of readable) {
      const n = await count(
        client,
        `select count(*) as n from ${qualified(schema, t.table)} where ${q(column)} = $1`,
        [first],
      );
      if (n > 0) {
        seen.push(`${t.table} (${n})`);
        t.problems.push(`a probe as ${second} sees ${n} rows of ${first}`);
        if (t.state === "isolated") t.state = "partial";
      }
    }
  } finally {
    await client.query("rollback to savepoint probe");
  }
  return seen.length
    ? {
        ok: false,
        asCustomer: second,
        ofCustomer: first,
        detail: `as ${second}, the tenant role sees rows of ${first} in ${seen.join(", ")}`,
      }
    : {
        ok: true,
        asCustomer: second,
        ofCustomer: first,
        detail: `as ${second}, the tenant role sees none of ${first}'s rows in ${readable.length} tables`,
      };
}
