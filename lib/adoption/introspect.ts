// Reads a schema's structure from the catalog (docs/architecture.md §9: the engine works on any schema, not a
// list): per table its rows, keys, unique constraints, foreign keys, indexes, dependent views
// (plain, materialized, and those that depend on a key), triggers and partitioning. Runs in any transaction that can read the catalog.
import "server-only";
import { sql } from "drizzle-orm";
import { ownerDatabaseUrl } from "@/db/env";
import { POLICIES_JSON, type PolicyRow } from "@/db/guard";
import type { Tx } from "@/db/tenant";
import { COUNTER_TRIGGERS } from "@/lib/usage/counters";
import type { BodyUses, QualifiedName } from "./bodies";

export interface Constraint {
  name: string;
  columns: string[];
  /** As pg_get_constraintdef gives it, so a revert restores it exactly (DEFERRABLE, MATCH, WHERE included). */
  definition: string;
}
/** An exclusion constraint, and whether its index method can compare the tenant column with `=`. */
export interface Exclusion extends Constraint {
  /**
   * Its access method has a default operator class for text: btree and hash always, GiST with
   * btree_gist installed. Then adoption can rebuild it with the tenant column first.
   */
  tenantEquality: boolean;
}
export interface ForeignKey extends Constraint {
  refSchema: string;
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
  /** When both tables have the tenant column already: rows pointing at another customer's row. */
  crossTenantRefs?: number;
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
  /** Keys, foreign keys, exclusions and indexes declared on this table itself, not inherited from a partitioned parent. */
  primaryKey: Constraint | null;
  uniques: Constraint[];
  foreignKeys: ForeignKey[];
  exclusions?: Exclusion[];
  /** Indexes that back no constraint: name, definition, and whether unique (partial and expression ones included). */
  indexes: { name: string; definition: string; unique?: boolean }[];
  /** Plain views that read the table (adoption makes them security_invoker): a name, or `schema.name` for a view in another schema. */
  views: string[];
  /** Materialized views that read the table: they store rows, which RLS cannot filter. */
  materializedViews: string[];
  /** Views that depend on one of the table's keys (grouping by the primary key). */
  keyDependentViews: { view: string; constraint: string }[];
  triggers: string[];
  partitioned: boolean;
  /** The parent when this table is a partition (at any level, default partitions included). */
  partitionOf: string | null;
  /** The parent when this table inherits from another without being a partition. */
  inheritsFrom?: string | null;
  rlsEnabled: boolean;
  rlsForced: boolean;
  /** Its owner, and whether the role that runs the adoption is neither that role nor a member of it. */
  owner?: string;
  ownedByOther?: boolean;
  /** The extension the table belongs to, if any: adoption leaves it alone. */
  extension?: string | null;
  /** Row-level security policies it has already. */
  policies?: PolicyRow[];
  /** Each column's type, NOT NULL and default, in the order of `columns`. */
  attributes?: { name: string; type: string; notNull: boolean; default: string | null }[];
  /**
   * Rows whose tenant column is NULL, when the table has that column and it allows NULL; null
   * when the role reading the catalog may not read the table (the run, as the owner, counts).
   */
  nullTenants?: number | null;
  /** Rewrite rules other than a view's own. */
  rules?: string[];
  /** Foreign keys from tables of other schemas that point at this one. */
  referencedFrom?: { schema: string; table: string; name: string; columns: string[] }[];
  /**
   * SECURITY DEFINER functions whose owner bypasses RLS and that read or write this table (their
   * own statements, or through a view or a function they call), and those that may: whose reads
   * cannot all be known from their text (`opaque` says why; `named`: it reads this table, or its
   * text names it).
   */
  definerFunctions?: { name: string; owner: string; opaque?: string; named?: boolean }[];
  /** Its triggers whose functions write into other tables of the schema. */
  triggerWrites?: { trigger: string; table: string }[];
}

const ACTIONS: Record<string, string> = {
  a: "no action",
  r: "restrict",
  c: "cascade",
  n: "set null",
  d: "set default",
};

type Row = {
  name: string;
  rows: number;
  readable: boolean;
  kind: string;
  partition_of: string | null;
  inherits_from: string | null;
  rls_enabled: boolean;
  rls_forced: boolean;
  owner: string;
  owned_by_other: boolean;
  extension: string | null;
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
        tenant_equality: boolean;
      }[]
    | null;
  indexes: { name: string; definition: string; unique: boolean }[] | null;
  views: string[] | null;
  materialized_views: string[] | null;
  key_views: { view: string; constraint: string }[] | null;
  triggers: { name: string; source: string }[] | null;
  policies: PolicyRow[];
  attributes: { name: string; type: string; notNull: boolean; default: string | null }[];
  rules: string[] | null;
  referenced_from: { schema: string; table: string; name: string; columns: string[] }[] | null;
};

/**
 * Every table of `schema`, read from the catalog in one statement (a schema of 500 tables plans
 * as fast as one of five: docs/architecture.md §9), plus one statement for the SECURITY DEFINER
 * functions and one count per table never analysed. `runAs` is the role that will run the
 * adoption: by default the user of DATABASE_URL, the owner connection; when unknown (null),
 * tables are not checked against it.
 */
export async function introspect(
  tx: Tx,
  schema: string,
  options: { runAs?: string | null; column?: string } = {},
): Promise<TableInfo[]> {
  const column = options.column ?? "tenant_id";
  const runAs = options.runAs === undefined ? ownerRole() : options.runAs;
  const { rows } = await tx.execute<Row>(sql`
    select c.relname as name, c.reltuples::bigint as rows, c.relkind as kind,
           has_table_privilege(c.oid, 'select') as readable,
           (select p.relname from pg_inherits i join pg_class p on p.oid = i.inhparent where i.inhrelid = c.oid and c.relispartition) as partition_of,
           (select p.relname from pg_inherits i join pg_class p on p.oid = i.inhparent where i.inhrelid = c.oid and not c.relispartition limit 1) as inherits_from,
           c.relrowsecurity as rls_enabled, c.relforcerowsecurity as rls_forced,
           pg_get_userbyid(c.relowner) as owner,
           coalesce(not pg_has_role(${runAs}::name, c.relowner, 'usage'), false) as owned_by_other,
           (select e.extname from pg_depend d join pg_extension e on e.oid = d.refobjid
             where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_extension'::regclass and d.deptype = 'e') as extension,
           -- A table may have no columns at all (create table t ()): an empty list, not NULL.
           coalesce((select array_agg(a.attname::text order by a.attnum) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '{}') as columns,
           (select json_agg(json_build_object(
                     'name', k.conname, 'type', k.contype, 'definition', pg_get_constraintdef(k.oid),
                     'columns', (select array_agg(a.attname order by x.n) from unnest(k.conkey) with ordinality x(attnum, n) join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.attnum),
                     'ref_schema', rn.nspname, 'ref_table', r.relname,
                     'ref_columns', (select array_agg(a.attname order by x.n) from unnest(k.confkey) with ordinality x(attnum, n) join pg_attribute a on a.attrelid = k.confrelid and a.attnum = x.attnum),
                     'on_delete', k.confdeltype, 'on_update', k.confupdtype,
                     'tenant_equality', k.contype = 'x' and exists (select 1 from pg_class ix join pg_opclass o on o.opcmethod = ix.relam
                                                                     where ix.oid = k.conindid and o.opcintype = 'text'::regtype and o.opcdefault)) order by k.conname)
              from pg_constraint k
              left join pg_class r on r.oid = k.confrelid
              left join pg_namespace rn on rn.oid = r.relnamespace
             where k.conrelid = c.oid and k.contype in ('p', 'u', 'f', 'x') and k.conparentid = 0) as constraints,
           (select json_agg(json_build_object('name', ic.relname, 'definition', pg_get_indexdef(i.indexrelid), 'unique', i.indisunique) order by ic.relname)
              from pg_index i join pg_class ic on ic.oid = i.indexrelid
             where i.indrelid = c.oid
               and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.conrelid = c.oid)
               and not exists (select 1 from pg_inherits x where x.inhrelid = i.indexrelid)) as indexes,
           (select array_agg(distinct case when v.relnamespace = c.relnamespace then v.relname::text else vn.nspname || '.' || v.relname end)
              from pg_depend d join pg_rewrite w on w.oid = d.objid join pg_class v on v.oid = w.ev_class
              join pg_namespace vn on vn.oid = v.relnamespace
             where d.refobjid = c.oid and d.classid = 'pg_rewrite'::regclass and v.oid <> c.oid and v.relkind = 'v') as views,
           (select array_agg(distinct v.relname::text order by v.relname::text)
              from pg_depend d join pg_rewrite w on w.oid = d.objid join pg_class v on v.oid = w.ev_class
             where d.refobjid = c.oid and d.classid = 'pg_rewrite'::regclass and v.oid <> c.oid and v.relkind = 'm') as materialized_views,
           (select json_agg(distinct jsonb_build_object('view', v.relname, 'constraint', k.conname))
              from pg_constraint k
              join pg_depend d on d.refobjid = k.oid and d.refclassid = 'pg_constraint'::regclass and d.classid = 'pg_rewrite'::regclass
              join pg_rewrite w on w.oid = d.objid join pg_class v on v.oid = w.ev_class
             where k.conrelid = c.oid and k.contype in ('p', 'u')) as key_views,
           (select json_agg(json_build_object('name', t.tgname, 'source', p.prosrc) order by t.tgname)
              from pg_trigger t join pg_proc p on p.oid = t.tgfoid
             where t.tgrelid = c.oid and not t.tgisinternal
               and t.tgname <> all(${sql.raw(`array[${COUNTER_TRIGGERS.map((n) => `'${n}'`).join(", ")}]`)})) as triggers,
           ${sql.raw(POLICIES_JSON)} as policies,
           coalesce((select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notNull', a.attnotnull,
                     'default', pg_get_expr(d.adbin, d.adrelid)) order by a.attnum)
              from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
             where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as attributes,
           (select array_agg(w.rulename::text order by w.rulename) from pg_rewrite w where w.ev_class = c.oid and w.rulename <> '_RETURN') as rules,
           (select json_agg(json_build_object('schema', fn.nspname, 'table', f.relname, 'name', k.conname,
                     'columns', (select array_agg(a.attname order by x.n) from unnest(k.confkey) with ordinality x(attnum, n) join pg_attribute a on a.attrelid = k.confrelid and a.attnum = x.attnum))
                     order by fn.nspname, f.relname, k.conname)
              from pg_constraint k join pg_class f on f.oid = k.conrelid join pg_namespace fn on fn.oid = f.relnamespace
             where k.confrelid = c.oid and k.contype = 'f' and k.conparentid = 0 and fn.oid <> n.oid) as referenced_from
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
  // A schema adopted partly by hand: the plan finishes it, and must know what the run would
  // fail on — NULL tenants, and foreign keys whose rows point at another customer's row.
  const nulls = new Map<string, number>();
  const crossRefs = new Map<string, number>();
  const byName = new Map(rows.map((r) => [r.name, r]));
  const has = (r: Row | undefined) => Boolean(r?.columns.includes(column));
  const table = (name: string) => sql`${sql.identifier(schema)}.${sql.identifier(name)}`;
  for (const r of rows.filter((x) => x.readable && has(x) && !x.partition_of)) {
    const attribute = r.attributes.find((a) => a.name === column);
    if (attribute && !attribute.notNull) {
      const { rows: counted } = await tx.execute<{ n: string }>(
        sql`select count(*) as n from ${table(r.name)} where ${sql.identifier(column)} is null`,
      );
      nulls.set(r.name, Number(counted[0].n));
    }
    for (const k of (r.constraints ?? []).filter(
      (x) =>
        x.type === "f" &&
        x.ref_schema === schema &&
        !x.columns.includes(column) &&
        has(byName.get(x.ref_table!)),
    )) {
      const on = k.columns.map(
        (c, i) => sql`p.${sql.identifier(k.ref_columns![i])} = c.${sql.identifier(c)}`,
      );
      const { rows: counted } = await tx.execute<{ n: string }>(
        sql`select count(*) as n from ${table(r.name)} c join ${table(k.ref_table!)} p on ${sql.join(on, sql` and `)}
             where p.${sql.identifier(column)} is distinct from c.${sql.identifier(column)}`,
      );
      crossRefs.set(`${r.name}.${k.name}`, Number(counted[0].n));
    }
  }
  const names = rows.map((r) => r.name);
  const definers = await definersReading(tx, schema, names);
  return rows.map((r) => {
    const constraints = r.constraints ?? [];
    const pk = constraints.find((k) => k.type === "p");
    const key = (k: (typeof constraints)[number]) => ({
      name: k.name,
      columns: k.columns,
      definition: k.definition,
    });
    return {
      schema,
      name: r.name,
      rows: Math.max(0, Number(r.rows)),
      rowsSource: sources.get(r.name) ?? "estimate",
      columns: r.columns,
      primaryKey: pk ? key(pk) : null,
      uniques: constraints.filter((k) => k.type === "u").map(key),
      exclusions: constraints
        .filter((k) => k.type === "x")
        .map((k) => ({ ...key(k), tenantEquality: k.tenant_equality })),
      foreignKeys: constraints
        .filter((k) => k.type === "f")
        .map((k) => ({
          ...key(k),
          ...(crossRefs.has(`${r.name}.${k.name}`)
            ? { crossTenantRefs: crossRefs.get(`${r.name}.${k.name}`) }
            : {}),
          refSchema: k.ref_schema!,
          refTable: k.ref_table!,
          refColumns: k.ref_columns!,
          onDelete: ACTIONS[k.on_delete] ?? "no action",
          onUpdate: ACTIONS[k.on_update] ?? "no action",
        })),
      indexes: r.indexes ?? [],
      views: (r.views ?? []).sort(),
      materializedViews: r.materialized_views ?? [],
      keyDependentViews: (r.key_views ?? []).sort((a, b) => a.view.localeCompare(b.view)),
      triggers: (r.triggers ?? []).map((t) => t.name),
      partitioned: r.kind === "p",
      partitionOf: r.partition_of,
      inheritsFrom: r.inherits_from,
      rlsEnabled: r.rls_enabled,
      rlsForced: r.rls_forced,
      owner: r.owner,
      ownedByOther: r.owned_by_other,
      extension: r.extension,
      policies: r.policies,
      attributes: r.attributes,
      nullTenants: nulls.get(r.name) ?? (r.readable ? 0 : null),
      rules: r.rules ?? [],
      referencedFrom: r.referenced_from ?? [],
      definerFunctions: definers.flatMap((f) =>
        f.opaque
          ? [{ name: f.name, owner: f.owner, opaque: f.opaque, named: f.named.has(r.name) }]
          : f.reads.has(r.name)
            ? [{ name: f.name, owner: f.owner }]
            : [],
      ),
      triggerWrites: (r.triggers ?? []).flatMap((t) =>
        names
          .filter((other) => other !== r.name && writesInto(t.source, schema, other))
          .map((table) => ({ trigger: t.name, table })),
      ),
    };
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/**
 * The table's name as a word of a function body, bare, quoted or qualified by its own schema:
 * qualified by another (`control.customers`), it names another table.
 */
const tableName = (schema: string, table: string) =>
  `(?:(?:${escape(schema)}|"${escape(schema)}")\\s*\\.\\s*|(?<![\\w"$]\\s*\\.\\s*))(?:\\b${escape(table)}\\b|"${escape(table)}")`;

function mentionsTable(source: string, schema: string, table: string) {
  return new RegExp(tableName(schema, table), "i").test(source);
}

/**
 * The SECURITY DEFINER functions that run as a role bypassing RLS (a superuser, or BYPASSRLS),
 * and which of the schema's `tables` each reads or writes, by PostgreSQL's parser
 * (bodies.ts): its statements' relations, the tables under the views they name, and what the
 * functions it calls read, in turn. A name not qualified by a schema is taken for the schema's
 * table of that name (the search path at the call is not known). One whose reads cannot be known
 * is `opaque`, with the tables it is known to read or its body's text names; it counts when it
 * lives in this schema or names one of its tables (another schema's that names none is that
 * schema's concern).
 */
async function definersReading(tx: Tx, schema: string, tables: string[]) {
  const { rows: definers } = await tx.execute<FunctionRow & { owner: string; schema: string }>(sql`
    select p.oid::text as oid, p.oid::regprocedure::text as name, r.rolname as owner,
           p.pronamespace::regnamespace::text as schema, p.prosrc as source,
           l.lanname as language, pg_get_functiondef(p.oid) as definition
      from pg_proc p join pg_roles r on r.oid = p.proowner join pg_language l on l.oid = p.prolang
     where p.prosecdef and (r.rolsuper or r.rolbypassrls)
       and ${OURS_TO_READ}
     order by 2`);
  if (!definers.length) return [];
  // Loaded here, when there is a body to read: importing it instantiates the parser's WebAssembly.
  const { readFunctionBody } = await import("./bodies");
  // Each view's (and materialized view's) relations, by `schema.name`.
  const { rows: viewRows } = await tx.execute<{ view: string; reads: QualifiedName[] }>(sql`
    select vn.nspname || '.' || v.relname as view,
           json_agg(distinct jsonb_build_object('schema', rn.nspname, 'name', t.relname)) as reads
      from pg_class v join pg_namespace vn on vn.oid = v.relnamespace
      join pg_rewrite w on w.ev_class = v.oid
      join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = w.oid and d.refclassid = 'pg_class'::regclass
      join pg_class t on t.oid = d.refobjid join pg_namespace rn on rn.oid = t.relnamespace
     where v.relkind in ('v', 'm') and t.oid <> v.oid
       and vn.nspname not in ('pg_catalog', 'information_schema')
     group by 1`);
  const views = new Map(viewRows.map((v) => [v.view, v.reads]));
  const viewsNamed = new Map<string, string[]>();
  for (const { view } of viewRows) {
    const bare = view.slice(view.indexOf(".") + 1);
    viewsNamed.set(bare, [...(viewsNamed.get(bare) ?? []), view]);
  }
  const ours = new Set(tables);
  const bodies = new Map<string, Promise<BodyUses>>();
  const body = (f: FunctionRow) => {
    if (!bodies.has(f.oid)) bodies.set(f.oid, readFunctionBody(f.definition, f.language, f.source));
    return bodies.get(f.oid)!;
  };
  const called = new Map<string, FunctionRow[]>();
  const functionsNamed = async (call: QualifiedName) => {
    const key = `${call.schema}.${call.name}`;
    if (!called.has(key)) {
      const { rows } = await tx.execute<FunctionRow>(sql`
        select p.oid::text as oid, p.oid::regprocedure::text as name, l.lanname as language,
               pg_get_functiondef(p.oid) as definition, p.prosrc as source
          from pg_proc p join pg_language l on l.oid = p.prolang
         where p.proname = ${call.name} and p.prokind in ('f', 'p')
           and ${OURS_TO_READ}
           ${call.schema === null ? sql`` : sql`and p.pronamespace::regnamespace::text = ${call.schema}`}`);
      called.set(key, rows);
    }
    return called.get(key)!;
  };
  return Promise.all(
    definers.map(async (definer) => {
      const reads = new Set<string>();
      let opaque: string | null = null;
      const seenViews = new Set<string>();
      const relation = (r: QualifiedName) => {
        if ((r.schema === null || r.schema === schema) && ours.has(r.name)) reads.add(r.name);
        // Not qualified: a view of that name in any schema the search path may hold.
        const candidates =
          r.schema === null ? (viewsNamed.get(r.name) ?? []) : [`${r.schema}.${r.name}`];
        for (const view of candidates)
          if (views.has(view) && !seenViews.has(view)) {
            seenViews.add(view);
            views.get(view)!.forEach(relation);
          }
      };
      const seen = new Set<string>();
      const follow = async (f: FunctionRow, via: string[]): Promise<void> => {
        if (seen.has(f.oid)) return;
        seen.add(f.oid);
        const uses = await body(f);
        if (uses.opaque && !opaque)
          opaque = via.length ? `it calls ${via.join(" → ")}, and ${uses.opaque}` : uses.opaque;
        uses.relations.forEach(relation);
        for (const call of uses.calls)
          for (const next of await functionsNamed(call)) await follow(next, [...via, next.name]);
      };
      await follow(definer, []);
      // What it is known to read, and what its text names besides.
      const named = new Set(
        opaque
          ? tables.filter((t) => reads.has(t) || mentionsTable(definer.source, schema, t))
          : [],
      );
      // One of another schema that names none of this one's tables is that schema's concern.
      if (definer.schema !== schema && named.size === 0) opaque = null;
      return { name: definer.name, owner: definer.owner, reads, opaque, named };
    }),
  );
}

type FunctionRow = {
  oid: string;
  name: string;
  language: string;
  definition: string;
  source: string;
};

/**
 * A function of `pg_proc p` whose body adoption reads: not PostgreSQL's own; not Tenantry's (the
 * placement check, migration 0032; the row counters, 0050; the audit log's, 0068: they read its
 * own tables, never a customer's); not a member of an extension (PostGIS's SECURITY DEFINER
 * functions, in C, read statistics): an extension's functions come with the extension the DBA
 * installed, as its tables do, and are left to it.
 */
const OURS_TO_READ = sql`p.pronamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  and p.pronamespace::regnamespace::text not in ('placement', 'tally', 'control')
  and not exists (select 1 from pg_depend e
   where e.classid = 'pg_proc'::regclass and e.objid = p.oid and e.deptype = 'e')`;

/** Whether a function body inserts into, updates or deletes from the table. */
function writesInto(source: string, schema: string, table: string) {
  return new RegExp(
    `\\b(?:insert\\s+into|update|delete\\s+from)\\s+${tableName(schema, table)}`,
    "i",
  ).test(source);
}

/** The user of the owner connection, which runs adoptions; null when none is configured. */
function ownerRole(): string | null {
  const url = ownerDatabaseUrl();
  return url ? decodeURIComponent(new URL(url).username) || null : null;
}
