// Reads a schema's structure from the catalog (docs/architecture.md §9: the engine works on any schema, not a
// list): per table its rows, keys, unique constraints, foreign keys, indexes, dependent views
// (plain, materialized, and those that depend on a key), triggers and partitioning. Runs in any transaction that can read the catalog.
import "server-only";
import { sql } from "drizzle-orm";
import type { Tx } from "@/db/tenant";

export interface Constraint {
  name: string;
  columns: string[];
  /** As pg_get_constraintdef gives it, so a revert restores it exactly. */
  definition: string;
}
export interface ForeignKey extends Constraint {
  refSchema: string;
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}
export type RowsSource = "estimate" | "count" | "unknown";

export interface TableInfo {
  schema: string;
  name: string;
  rows: number;
  /**
   * Where `rows` comes from: the catalog's estimate (the last ANALYZE), a count (never analysed,
   * and readable by the role introspecting), or nowhere (never analysed, not readable: 0).
   */
  rowsSource: RowsSource;
  columns: string[];
  primaryKey: Constraint | null;
  uniques: Constraint[];
  foreignKeys: ForeignKey[];
  /** Plain indexes (not backing a key): name and definition. */
  indexes: { name: string; definition: string }[];
  /** Plain views that read the table (adoption makes them security_invoker). */
  views: string[];
  /** Materialized views that read the table: they store rows, which RLS cannot filter. */
  materializedViews: string[];
  /** Views that depend on one of the table's keys (grouping by it), which the key's rebuild would break. */
  keyDependentViews: { view: string; constraint: string }[];
  triggers: string[];
  partitioned: boolean;
  partitionOf: string | null;
  rlsEnabled: boolean;
  rlsForced: boolean;
}

const ACTIONS: Record<string, string> = {
  a: "no action",
  r: "restrict",
  c: "cascade",
  n: "set null",
  d: "set default",
};

export async function introspect(tx: Tx, schema: string): Promise<TableInfo[]> {
  const { rows } = await tx.execute<{
    name: string;
    rows: number;
    readable: boolean;
    kind: string;
    partition_of: string | null;
    rls_enabled: boolean;
    rls_forced: boolean;
    columns: string[];
    constraints:
      | {
          name: string;
          type: string;
          definition: string;
          columns: string[];
          ref_schema: string | null;
          ref_table: string | null;
          ref_columns: string[] | null;
          on_delete: string;
          on_update: string;
        }[]
      | null;
    indexes: { name: string; definition: string }[] | null;
    views: string[] | null;
    materialized_views: string[] | null;
    key_views: { view: string; constraint: string }[] | null;
    triggers: string[] | null;
  }>(sql`
    select c.relname as name, c.reltuples::bigint as rows, c.relkind as kind,
           has_table_privilege(c.oid, 'select') as readable,
           (select p.relname from pg_inherits i join pg_class p on p.oid = i.inhparent where i.inhrelid = c.oid) as partition_of,
           c.relrowsecurity as rls_enabled, c.relforcerowsecurity as rls_forced,
           (select array_agg(a.attname::text order by a.attnum) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns,
           (select json_agg(json_build_object(
                     'name', k.conname, 'type', k.contype, 'definition', pg_get_constraintdef(k.oid),
                     'columns', (select array_agg(a.attname order by x.n) from unnest(k.conkey) with ordinality x(attnum, n) join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.attnum),
                     'ref_schema', rn.nspname, 'ref_table', r.relname,
                     'ref_columns', (select array_agg(a.attname order by x.n) from unnest(k.confkey) with ordinality x(attnum, n) join pg_attribute a on a.attrelid = k.confrelid and a.attnum = x.attnum),
                     'on_delete', k.confdeltype, 'on_update', k.confupdtype) order by k.conname)
              from pg_constraint k
              left join pg_class r on r.oid = k.confrelid
              left join pg_namespace rn on rn.oid = r.relnamespace
             where k.conrelid = c.oid and k.contype in ('p', 'u', 'f')) as constraints,
           (select json_agg(json_build_object('name', ic.relname, 'definition', pg_get_indexdef(i.indexrelid)) order by ic.relname)
              from pg_index i join pg_class ic on ic.oid = i.indexrelid
             where i.indrelid = c.oid and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.conrelid = c.oid)) as indexes,
           (select array_agg(distinct v.relname::text order by v.relname::text)
              from pg_depend d join pg_rewrite w on w.oid = d.objid join pg_class v on v.oid = w.ev_class
             where d.refobjid = c.oid and d.classid = 'pg_rewrite'::regclass and v.oid <> c.oid and v.relkind = 'v') as views,
           (select array_agg(distinct v.relname::text order by v.relname::text)
              from pg_depend d join pg_rewrite w on w.oid = d.objid join pg_class v on v.oid = w.ev_class
             where d.refobjid = c.oid and d.classid = 'pg_rewrite'::regclass and v.oid <> c.oid and v.relkind = 'm') as materialized_views,
           (select json_agg(distinct jsonb_build_object('view', v.relname, 'constraint', k.conname))
              from pg_constraint k
              join pg_depend d on d.refobjid = k.oid and d.refclassid = 'pg_constraint'::regclass and d.classid = 'pg_rewrite'::regclass
              join pg_rewrite w on w.oid = d.objid join pg_class v on v.oid = w.ev_class
             where k.conrelid = c.oid and k.contype in ('p', 'u')) as key_views,
           (select array_agg(t.tgname::text order by t.tgname::text) from pg_trigger t where t.tgrelid = c.oid and not t.tgisinternal) as triggers
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${schema} and c.relkind in ('r', 'p')
     order by c.relname`);
  // A table never analysed has no estimate (-1): it is counted where the role may read it, so
  // the plan never calls a table with rows empty; elsewhere its count is unknown, and says so.
  const sources = new Map<string, RowsSource>();
  for (const r of rows.filter((x) => Number(x.rows) < 0)) {
    sources.set(r.name, r.readable ? "count" : "unknown");
    if (!r.readable) continue;
    const { rows: counted } = await tx.execute<{ n: string }>(
      sql`select count(*) as n from ${sql.identifier(schema)}.${sql.identifier(r.name)}`,
    );
    r.rows = Number(counted[0].n);
  }
  return rows.map((r) => {
    const constraints = r.constraints ?? [];
    const pk = constraints.find((k) => k.type === "p");
    return {
      schema,
      name: r.name,
      rows: Math.max(0, Number(r.rows)),
      rowsSource: sources.get(r.name) ?? "estimate",
      columns: r.columns,
      primaryKey: pk ? { name: pk.name, columns: pk.columns, definition: pk.definition } : null,
      uniques: constraints
        .filter((k) => k.type === "u")
        .map((k) => ({ name: k.name, columns: k.columns, definition: k.definition })),
      foreignKeys: constraints
        .filter((k) => k.type === "f")
        .map((k) => ({
          name: k.name,
          columns: k.columns,
          definition: k.definition,
          refSchema: k.ref_schema!,
          refTable: k.ref_table!,
          refColumns: k.ref_columns!,
          onDelete: ACTIONS[k.on_delete] ?? "no action",
          onUpdate: ACTIONS[k.on_update] ?? "no action",
        })),
      indexes: r.indexes ?? [],
      views: r.views ?? [],
      materializedViews: r.materialized_views ?? [],
      keyDependentViews: (r.key_views ?? []).sort((a, b) => a.view.localeCompare(b.view)),
      triggers: r.triggers ?? [],
      partitioned: r.kind === "p",
      partitionOf: r.partition_of,
      rlsEnabled: r.rls_enabled,
      rlsForced: r.rls_forced,
    };
  });
}
