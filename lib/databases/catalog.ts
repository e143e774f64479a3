// The data plane's definition as a database's catalog holds it (docs/architecture.md §13): every
// object of the schemas that hold customer tables, each as the statement that makes it, keyed
// by name — so `sync` can make on another database what it lacks, in dependency order (STAGE).
// What sync cannot make is named as a problem instead, before anything is written.
import "server-only";
import type { OwnerClient } from "@/db/owner";
import { ident, qualified } from "../adoption/sql";
import { COUNTER_TRIGGERS } from "../usage/counters";

export interface CatalogObject {
  /** What it is, e.g. `table app.users`, `constraint users_pkey on app.users`. */
  key: string;
  /** The order the objects are made in. */
  stage: number;
  sql: string;
  /** A view's query as this server prints it: the end of `sql`. */
  query?: string;
}

export interface DataPlaneCatalog {
  schemas: string[];
  objects: CatalogObject[];
  /** Sequences by name with where they stand, so a move can carry their positions. */
  sequences: { name: string; lastValue: string | null }[];
  /** What sync cannot make, each a sentence. */
  problems: string[];
  /**
   * What the data plane's tables use that sync does not make, which the target must have
   * already: types of columns that are not PostgreSQL's own nor an enum or domain (sync makes
   * those): an extension's, a composite or a range type; extensions installed in a data-plane
   * schema; extensions whose operator classes an index uses (btree_gist's, for an exclusion
   * constraint per customer); and extensions whose language a function is in. Each with the
   * first place that uses it.
   */
  needs: Need[];
}

export type Need =
  { extension: string; usedBy: string } | { type: string; kind: string; usedBy: string };

const APP_ROLES = ["tenantry_tenant", "tenantry_platform", "tenantry_app"];

/**
 * A function's name with its argument types, as GRANT and DROP name it (`p`, in `n`): an
 * ordered-set aggregate's direct and aggregated ones in one list.
 */
const ROUTINE = `quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || replace(pg_get_function_identity_arguments(p.oid), ' ORDER BY ', ', ') || ')'`;

/**
 * The object `oid` of `catalog` (pg_class, pg_type, pg_proc) is an extension's member: the
 * extension makes it, sync does not (readNeeds names the extension).
 */
const extensionMember = (catalog: string, oid: string) =>
  `exists (select 1 from pg_depend x where x.classid = '${catalog}'::regclass and x.objid = ${oid} and x.deptype = 'e')`;

/**
 * The order objects are made in. A function comes before the tables when its signature names
 * no table's or view's row type and its body is not parsed at creation (sync makes functions
 * with check_function_bodies off): a column's default or a check may call it. One that names a
 * table's row type (a computed column, as PostgREST has them) or has a body in standard SQL
 * comes after the tables and their keys, before the views that may call it; one that names a
 * view's row type, after the views. Views come after the keys a GROUP BY may rest on.
 */
const STAGE = {
  schema: 0,
  type: 1,
  sequence: 1,
  function: 2,
  table: 3,
  column: 4,
  owner: 5,
  key: 6,
  // Before the foreign keys: a key may point at a unique index that is not a constraint.
  index: 6,
  foreignKey: 7,
  functionOfTables: 8,
  view: 9,
  functionOfViews: 10,
  trigger: 11,
  security: 12,
  policy: 13,
  grant: 14,
};

/** The schemas that hold customer tables (tenant_id under forced RLS). */
export async function dataPlaneSchemas(client: OwnerClient): Promise<string[]> {
  const { rows } = await client.query<{ schema: string }>(
    `select distinct n.nspname as schema
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and c.relforcerowsecurity
        and n.nspname not in ('control', 'drizzle', 'information_schema') and n.nspname not like 'pg\\_%'
        and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
      order by 1`,
  );
  return rows.map((r) => r.schema);
}

export async function readCatalog(
  client: OwnerClient,
  schemas: string[],
): Promise<DataPlaneCatalog> {
  const objects: CatalogObject[] = [];
  const problems: string[] = [];
  const add: Add = (key, stage, sql, query) =>
    objects.push({ key, stage, sql, ...(query === undefined ? {} : { query }) });
  const { rows: present } = await client.query<{ name: string }>(
    "select nspname as name from pg_namespace where nspname = any($1) order by 1",
    [schemas],
  );
  for (const { name } of present)
    add(`schema ${name}`, STAGE.schema, `create schema ${ident(name)}`);
  await readTypes(client, schemas, add);

  // Sequences of their own (not an identity column's, which its table makes).
  const { rows: sequences } = await client.query<{
    schema: string;
    name: string;
    type: string;
    increment: string;
    min: string;
    max: string;
    start: string;
    cycle: boolean;
    last_value: string | null;
  }>(
    `select s.schemaname as schema, s.sequencename as name, s.data_type::text as type,
            s.increment_by::text as increment, s.min_value::text as min, s.max_value::text as max,
            s.start_value::text as start, s.cycle, s.last_value::text as last_value
       from pg_sequences s
       join pg_class c on c.relname = s.sequencename
       join pg_namespace n on n.oid = c.relnamespace and n.nspname = s.schemaname
      where s.schemaname = any($1)
        and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'i')
      order by 1, 2`,
    [schemas],
  );
  for (const q of sequences)
    add(
      `sequence ${q.schema}.${q.name}`,
      STAGE.sequence,
      `create sequence ${qualified(q.schema, q.name)} as ${q.type} increment ${q.increment} minvalue ${q.min} maxvalue ${q.max} start ${q.start}${q.cycle ? " cycle" : ""}`,
    );

  const { rows: tables } = await client.query<{
    schema: string;
    name: string;
    kind: string;
    partition: boolean;
    inherits: boolean;
    parent: string | null;
    bound: string | null;
    partitionBy: string | null;
    enabled: boolean;
    forced: boolean;
    columns: {
      name: string;
      type: string;
      notnull: boolean;
      default: string | null;
      identity: string;
      generated: string;
      collation: string | null;
    }[];
  }>(
    `select n.nspname as schema, c.relname as name, c.relkind as kind, c.relispartition as partition,
            exists (select 1 from pg_inherits i where i.inhrelid = c.oid) as inherits,
            (select quote_ident(pn.nspname) || '.' || quote_ident(p.relname)
               from pg_inherits i join pg_class p on p.oid = i.inhparent join pg_namespace pn on pn.oid = p.relnamespace
              where i.inhrelid = c.oid and c.relispartition) as parent,
            pg_get_expr(c.relpartbound, c.oid) as bound,
            case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as "partitionBy",
            c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
            (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                     'notnull', a.attnotnull, 'default', pg_get_expr(d.adbin, d.adrelid),
                     'identity', a.attidentity, 'generated', a.attgenerated,
                     'collation', case when a.attcollation <> t.typcollation then (select quote_ident(co.collname) from pg_collation co where co.oid = a.attcollation) end)
                     order by a.attnum)
               from pg_attribute a
               join pg_type t on t.oid = a.atttypid
               left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
              where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1) and c.relkind in ('r', 'p', 'm', 'f')
        -- An extension's: the extension makes them (readNeeds).
        and not ${extensionMember("pg_class", "c.oid")}
      -- A partition after the table it is a partition of.
      order by case when c.relispartition then (select count(*) from pg_partition_ancestors(c.oid)) else 0 end, 1, 2`,
    [schemas],
  );
  for (const t of tables) {
    const name = `${t.schema}.${t.name}`;
    if ((t.kind !== "r" && t.kind !== "p") || (t.inherits && !t.partition)) {
      const what =
        t.kind === "m"
          ? "a materialized view"
          : t.kind === "f"
            ? "a foreign table"
            : "an inheriting table";
      problems.push(`${name} is ${what}: sync cannot make it; make it by hand first.`);
      continue;
    }
    const partitionBy = t.partitionBy ? ` partition by ${t.partitionBy}` : "";
    if (t.partition) {
      // Its columns are its parent's.
      add(
        `table ${name}`,
        STAGE.table,
        `create table ${qualified(t.schema, t.name)} partition of ${t.parent} ${t.bound}${partitionBy}`,
      );
    } else {
      const columns = t.columns.map((c) => {
        const parts = [ident(c.name), c.type];
        if (c.collation) parts.push(`collate ${c.collation}`);
        if (c.generated === "s") parts.push(`generated always as (${c.default}) stored`);
        else if (c.default !== null) parts.push(`default ${c.default}`);
        if (c.identity)
          parts.push(`generated ${c.identity === "a" ? "always" : "by default"} as identity`);
        if (c.notnull) parts.push("not null");
        return parts.join(" ");
      });
      add(
        `table ${name}`,
        STAGE.table,
        `create table ${qualified(t.schema, t.name)} (${columns.join(", ")})${partitionBy}`,
      );
      t.columns.forEach((c, i) =>
        add(
          `column ${c.name} of ${name}`,
          STAGE.column,
          `alter table ${qualified(t.schema, t.name)} add column if not exists ${columns[i]}`,
        ),
      );
    }
    if (t.enabled)
      add(
        `row security of ${name}`,
        STAGE.security,
        `alter table ${qualified(t.schema, t.name)} enable row level security`,
      );
    if (t.forced)
      add(
        `forced row security of ${name}`,
        STAGE.security,
        `alter table ${qualified(t.schema, t.name)} force row level security`,
      );
  }

  // Serial sequences belong to their column.
  const { rows: owned } = await client.query<{
    schema: string;
    sequence: string;
    table: string;
    column: string;
  }>(
    `select n.nspname as schema, s.relname as sequence, t.relname as table, a.attname as column
       from pg_depend d
       join pg_class s on s.oid = d.objid and s.relkind = 'S'
       join pg_namespace n on n.oid = s.relnamespace
       join pg_class t on t.oid = d.refobjid
       join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
      where d.deptype = 'a' and n.nspname = any($1)`,
    [schemas],
  );
  for (const o of owned)
    add(
      `owner of sequence ${o.schema}.${o.sequence}`,
      STAGE.owner,
      `alter sequence ${qualified(o.schema, o.sequence)} owned by ${qualified(o.schema, o.table)}.${ident(o.column)}`,
    );

  // Keys, uniques, checks and exclusions before foreign keys. A partitioned table's constraint
  // makes its partitions' copies, which are not read.
  const { rows: constraints } = await client.query<{
    schema: string;
    table: string;
    name: string;
    type: string;
    definition: string;
  }>(
    `select n.nspname as schema, c.relname as table, k.conname as name, k.contype as type,
            pg_get_constraintdef(k.oid) as definition
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1) and c.relkind in ('r', 'p') and k.contype in ('p', 'u', 'c', 'f', 'x')
        and k.conparentid = 0 and k.conislocal
      order by 1, 2, 3`,
    [schemas],
  );
  for (const k of constraints)
    add(
      `constraint ${k.name} on ${k.schema}.${k.table}`,
      k.type === "f" ? STAGE.foreignKey : STAGE.key,
      `alter table ${qualified(k.schema, k.table)} add constraint ${ident(k.name)} ${k.definition}`,
    );

  // Other indexes; a partitioned table's makes (or takes) its partitions', which are not read.
  const { rows: indexes } = await client.query<{
    schema: string;
    table: string;
    name: string;
    definition: string;
  }>(
    `select n.nspname as schema, t.relname as table, i.relname as name,
            -- "on only": the partitioned table's own index, which would wait for its partitions'.
            replace(pg_get_indexdef(x.indexrelid), ' ON ONLY ', ' ON ') as definition
       from pg_index x
       join pg_class i on i.oid = x.indexrelid
       join pg_class t on t.oid = x.indrelid
       join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = any($1) and t.relkind in ('r', 'p')
        -- A key's own index comes with it (a foreign key's conindid is the index it points at).
        and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid and k.contype in ('p', 'u', 'x'))
        and not exists (select 1 from pg_inherits ih where ih.inhrelid = x.indexrelid)
      order by 1, 2, 3`,
    [schemas],
  );
  for (const i of indexes)
    add(`index ${i.name} on ${i.schema}.${i.table}`, STAGE.index, i.definition);

  await readViews(client, schemas, add);
  await readFunctions(client, schemas, add, problems);

  const { rows: triggers } = await client.query<{
    schema: string;
    table: string;
    name: string;
    definition: string;
    enabled: string;
  }>(
    `select n.nspname as schema, c.relname as table, tg.tgname as name,
            pg_get_triggerdef(tg.oid) as definition, tg.tgenabled as enabled
       from pg_trigger tg join pg_class c on c.oid = tg.tgrelid join pg_namespace n on n.oid = c.relnamespace
      -- A partitioned table's trigger makes its partitions' (tgparentid).
      where n.nspname = any($1) and not tg.tgisinternal and tg.tgparentid = 0 and tg.tgname <> all($2)
      order by 1, 2, 3`,
    [schemas, ["placement_guard", ...COUNTER_TRIGGERS]],
  );
  const ENABLED: Record<string, string> = {
    D: "disable trigger",
    R: "enable replica trigger",
    A: "enable always trigger",
  };
  for (const t of triggers)
    add(
      `trigger ${t.name} on ${t.schema}.${t.table}`,
      STAGE.trigger,
      t.enabled in ENABLED
        ? `${t.definition}; alter table ${qualified(t.schema, t.table)} ${ENABLED[t.enabled]} ${ident(t.name)}`
        : t.definition,
    );

  const { rows: policies } = await client.query<{
    schema: string;
    table: string;
    name: string;
    permissive: string;
    roles: string[];
    cmd: string;
    qual: string | null;
    with_check: string | null;
  }>(
    `select schemaname as schema, tablename as table, policyname as name, permissive, roles::text[] as roles, cmd, qual, with_check
       from pg_policies where schemaname = any($1) order by 1, 2, 3`,
    [schemas],
  );
  for (const p of policies)
    add(
      `policy ${p.name} on ${p.schema}.${p.table}`,
      STAGE.policy,
      `create policy ${ident(p.name)} on ${qualified(p.schema, p.table)} as ${p.permissive.toLowerCase()} for ${p.cmd.toLowerCase()} to ${p.roles.map((r) => (r === "public" ? "public" : ident(r))).join(", ")}${p.qual ? ` using (${p.qual})` : ""}${p.with_check ? ` with check (${p.with_check})` : ""}`,
    );

  // Grants to the app's roles (on schemas, tables, views, sequences and functions); no other
  // role need exist there. A function whose EXECUTE the primary took from PUBLIC loses it there too.
  const { rows: grants } = await client.query<{
    kind: string;
    object: string;
    grantee: string;
    privilege: string;
  }>(
    `select 'schema' as kind, quote_ident(n.nspname) as object, g.rolname as grantee, a.privilege_type as privilege
       from pg_namespace n, aclexplode(n.nspacl) a join pg_roles g on g.oid = a.grantee
      where n.nspname = any($1) and g.rolname = any($2)
     union all
     select case c.relkind when 'S' then 'sequence' else 'table' end, quote_ident(n.nspname) || '.' || quote_ident(c.relname),
            g.rolname, a.privilege_type
       from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) a join pg_roles g on g.oid = a.grantee
      where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'S') and g.rolname = any($2)
     union all
     select 'routine', ${ROUTINE}, coalesce(g.rolname, 'public'), a.privilege_type
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace, aclexplode(p.proacl) a left join pg_roles g on g.oid = a.grantee
      where n.nspname = any($1) and (g.rolname = any($2) or a.grantee = 0)
        and not ${extensionMember("pg_proc", "p.oid")}
     union all
     select 'revoke', ${ROUTINE}, 'public', 'EXECUTE'
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = any($1) and p.proacl is not null
        and not exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE')
        and not ${extensionMember("pg_proc", "p.oid")}
     order by 1, 2, 3, 4`,
    [schemas, APP_ROLES],
  );
  for (const g of grants) {
    if (g.kind === "revoke") {
      const revoke = `revoke execute on routine ${g.object} from public`;
      add(revoke, STAGE.grant, revoke);
      continue;
    }
    const privilege = g.privilege.toLowerCase();
    add(
      `grant ${privilege} on ${g.kind} ${g.object} to ${g.grantee}`,
      STAGE.grant,
      `grant ${privilege} on ${g.kind === "table" ? "" : `${g.kind} `}${g.object} to ${g.grantee === "public" ? "public" : ident(g.grantee)}`,
    );
  }

  objects.sort((a, b) => a.stage - b.stage);
  return {
    schemas,
    objects,
    needs: await readNeeds(client, schemas),
    sequences: sequences.map((q) => ({
      name: `${q.schema}.${q.name}`,
      lastValue: q.last_value,
    })),
    problems,
  };
}

type Add = (key: string, stage: number, sql: string, query?: string) => void;

/**
 * The views, each after the views it reads: `create view … with (its options) as` its query.
 * A view's query resolves names as the catalog prints them, under the same search_path.
 */
async function readViews(client: OwnerClient, schemas: string[], add: Add) {
  const { rows } = await client.query<{
    oid: number;
    name: string;
    options: string[] | null;
    query: string;
    reads: number[];
  }>(
    `select c.oid::int as oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name,
            c.reloptions as options, pg_get_viewdef(c.oid) as query,
            array(select distinct d.refobjid::int from pg_rewrite r
                    join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid
                   where r.ev_class = c.oid and d.refclassid = 'pg_class'::regclass and d.refobjid <> c.oid) as reads
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1) and c.relkind = 'v'
        and not ${extensionMember("pg_class", "c.oid")}
      order by 2`,
    [schemas],
  );
  const made = new Set<number>();
  let left = rows;
  while (left.length) {
    // Views whose views are made; a view that reads one of a cycle (which PostgreSQL does not
    // let anyone make) would never be, so the rest go as they are and fail by name.
    const ready = left.filter((v) =>
      v.reads.every((r) => made.has(r) || !left.some((l) => l.oid === r)),
    );
    for (const v of ready.length ? ready : left) {
      made.add(v.oid);
      const options = v.options?.length ? ` with (${v.options.join(", ")})` : "";
      const query = v.query.trim().replace(/;$/, "");
      add(`view ${v.name}`, STAGE.view, `create view ${v.name}${options} as ${query}`, query);
    }
    left = left.filter((v) => !made.has(v.oid));
  }
}

/**
 * The functions and procedures, as PostgreSQL prints them (`create or replace function …`), and
 * the aggregates, as AGGREGATE_DEFINITION writes them: each after the functions it is made of.
 * Functions in C or internal to the server outside an extension sync cannot make: named as
 * problems. A function's language from an extension is a need (readNeeds).
 */
async function readFunctions(client: OwnerClient, schemas: string[], add: Add, problems: string[]) {
  const { rows } = await client.query<{
    oid: number;
    name: string;
    language: string;
    definition: string | null;
    after: "tables" | "views" | null;
    /** An aggregate's functions (its transition, final, combine … functions). */
    parts: number[] | null;
  }>(
    `select p.oid, ${ROUTINE} as name, l.lanname as language,
            case when p.prokind = 'a' then (${AGGREGATE_DEFINITION})
                 when l.lanname not in ('c', 'internal') then pg_get_functiondef(p.oid) end as definition,
            -- The row types its signature names, of tables or views; a body in standard SQL is
            -- parsed at creation, and reads tables.
            (select case when bool_or(r.relkind = 'v') then 'views' when count(*) > 0 or p.prosqlbody is not null then 'tables' end
               from unnest(p.prorettype || p.proargtypes::oid[] || coalesce(p.proallargtypes, '{}')) s(oid)
               join pg_type t on t.oid = s.oid
               join pg_type e on e.oid = case when t.typcategory = 'A' then t.typelem else t.oid end
               join pg_class r on r.oid = e.typrelid
              where r.relkind <> 'c') as after,
            (select array[a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
                          a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn]::oid[]::int8[]
               from pg_aggregate a where a.aggfnoid = p.oid) as parts
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
      where n.nspname = any($1) and not ${extensionMember("pg_proc", "p.oid")}
      order by p.prokind = 'a', 2`,
    [schemas],
  );
  const stageOf = new Map<number, number>();
  for (const f of rows) {
    if (f.definition === null) {
      problems.push(
        `${f.name} is a function in ${f.language === "c" ? "C" : "the server's internal language"} outside an extension: sync cannot make it; make it by hand first.`,
      );
      continue;
    }
    const stage = Math.max(
      f.after === "views"
        ? STAGE.functionOfViews
        : f.after === "tables"
          ? STAGE.functionOfTables
          : STAGE.function,
      // An aggregate comes with the last of its functions (after them: aggregates are read last).
      ...(f.parts ?? []).map((part) => stageOf.get(Number(part)) ?? STAGE.function),
    );
    stageOf.set(Number(f.oid), stage);
    add(`function ${f.name}`, stage, f.definition);
  }
}

/** A function's qualified name (`oid` names it), for an aggregate's definition. */
const functionName = (oid: string) =>
  `(select quote_ident(fs.nspname) || '.' || quote_ident(f.proname) from pg_proc f join pg_namespace fs on fs.oid = f.pronamespace where f.oid = ${oid})`;
const modify = (column: string) =>
  `case ${column} when 'r' then 'read_only' when 's' then 'shareable' else 'read_write' end`;

/**
 * The statement that makes the aggregate `p` (in `n`), every option written out, as PostgreSQL
 * has no function that prints one: plain, moving-aggregate, ordered-set and hypothetical-set.
 */
const AGGREGATE_DEFINITION = `
  select 'create or replace aggregate ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
         || '(' || pg_get_function_identity_arguments(p.oid) || ') (' || array_to_string(array[
           'sfunc = ' || ${functionName("a.aggtransfn")},
           'stype = ' || format_type(a.aggtranstype, null),
           case when a.aggtransspace <> 0 then 'sspace = ' || a.aggtransspace end,
           case when a.aggfinalfn <> 0 then 'finalfunc = ' || ${functionName("a.aggfinalfn")} end,
           case when a.aggfinalextra then 'finalfunc_extra' end,
           case when a.aggfinalfn <> 0 then 'finalfunc_modify = ' || ${modify("a.aggfinalmodify")} end,
           case when a.aggcombinefn <> 0 then 'combinefunc = ' || ${functionName("a.aggcombinefn")} end,
           case when a.aggserialfn <> 0 then 'serialfunc = ' || ${functionName("a.aggserialfn")} end,
           case when a.aggdeserialfn <> 0 then 'deserialfunc = ' || ${functionName("a.aggdeserialfn")} end,
           case when a.agginitval is not null then 'initcond = ' || quote_literal(a.agginitval) end,
           case when a.aggmtransfn <> 0 then 'msfunc = ' || ${functionName("a.aggmtransfn")} end,
           case when a.aggminvtransfn <> 0 then 'minvfunc = ' || ${functionName("a.aggminvtransfn")} end,
           case when a.aggmtransfn <> 0 then 'mstype = ' || format_type(a.aggmtranstype, null) end,
           case when a.aggmtransspace <> 0 then 'msspace = ' || a.aggmtransspace end,
           case when a.aggmfinalfn <> 0 then 'mfinalfunc = ' || ${functionName("a.aggmfinalfn")} end,
           case when a.aggmfinalextra then 'mfinalfunc_extra' end,
           case when a.aggmfinalfn <> 0 then 'mfinalfunc_modify = ' || ${modify("a.aggmfinalmodify")} end,
           case when a.aggminitval is not null then 'minitcond = ' || quote_literal(a.aggminitval) end,
           (select 'sortop = operator(' || quote_ident(os.nspname) || '.' || o.oprname || ')'
              from pg_operator o join pg_namespace os on os.oid = o.oprnamespace where o.oid = a.aggsortop),
           case when a.aggkind = 'h' then 'hypothetical' end,
           'parallel = ' || case p.proparallel when 's' then 'safe' when 'r' then 'restricted' else 'unsafe' end
         ], ', ') || ')'
    from pg_aggregate a where a.aggfnoid = p.oid`;

/**
 * `used`: each type a data-plane column uses (an array's element type, a domain's base type
 * too), with the column (`used_by`, schema.table.column) — for readTypes, and for readNeeds.
 */
const USED_TYPES = `with recursive used(oid, used_by) as (
       select case when t.typcategory = 'A' then t.typelem else t.oid end, n.nspname || '.' || c.relname || '.' || a.attname
         from pg_attribute a
         join pg_class c on c.oid = a.attrelid and c.relkind in ('r', 'p')
         join pg_namespace n on n.oid = c.relnamespace
         join pg_type t on t.oid = a.atttypid
        where n.nspname = any($1) and a.attnum > 0 and not a.attisdropped
       union
       select case when b.typcategory = 'A' then b.typelem else b.oid end, u.used_by
         from used u join pg_type d on d.oid = u.oid and d.typtype = 'd' join pg_type b on b.oid = d.typbasetype)`;

/**
 * The enums and domains the data plane's columns use (through an array or a domain too), not an
 * extension's: each as the statement that makes it, enums first (STAGE.type, before the tables).
 * A type's schema outside the data plane is made if missing.
 */
async function readTypes(client: OwnerClient, schemas: string[], add: Add) {
  const { rows } = await client.query<{
    name: string;
    schema: string;
    kind: "e" | "d";
    labels: string[] | null;
    base: string | null;
    default: string | null;
    notnull: boolean;
    checks: string[] | null;
  }>(
    `${USED_TYPES}
     select quote_ident(tn.nspname) || '.' || quote_ident(ty.typname) as name, tn.nspname as schema,
            ty.typtype::text as kind,
            (select array_agg(quote_literal(e.enumlabel) order by e.enumsortorder) from pg_enum e where e.enumtypid = ty.oid) as labels,
            case when ty.typtype = 'd' then format_type(ty.typbasetype, ty.typtypmod) end as base,
            ty.typdefault as default, ty.typnotnull as notnull,
            (select array_agg('constraint ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid) order by k.conname)
               -- NOT NULL is typnotnull (PostgreSQL 18 also keeps it as a constraint).
               from pg_constraint k where k.contypid = ty.oid and k.contype = 'c') as checks
       from (select distinct oid from used) u join pg_type ty on ty.oid = u.oid
       join pg_namespace tn on tn.oid = ty.typnamespace
      where ty.typtype in ('e', 'd') and tn.nspname not in ('pg_catalog', 'information_schema')
        and not ${extensionMember("pg_type", "ty.oid")}
      -- Enums first; a domain after the domain it is over.
      order by ty.typtype = 'd', ty.oid`,
    [schemas],
  );
  for (const schema of new Set(rows.map((r) => r.schema).filter((x) => !schemas.includes(x))))
    add(`schema ${schema}`, STAGE.schema, `create schema if not exists ${ident(schema)}`);
  for (const t of rows)
    add(
      `type ${t.name}`,
      STAGE.type,
      t.kind === "e"
        ? `create type ${t.name} as enum (${(t.labels ?? []).join(", ")})`
        : [
            `create domain ${t.name} as ${t.base}`,
            ...(t.default !== null ? [`default ${t.default}`] : []),
            ...(t.notnull ? ["not null"] : []),
            ...(t.checks ?? []),
          ].join(" "),
    );
}

/** What the data plane's tables use from outside it (see `DataPlaneCatalog.needs`). */
async function readNeeds(client: OwnerClient, schemas: string[]): Promise<Need[]> {
  const { rows } = await client.query<{
    type: string | null;
    kind: string | null;
    extension: string | null;
    used_by: string;
  }>(
    `${USED_TYPES}
     select distinct on (coalesce(extension, type)) * from (
       -- Column types that are not PostgreSQL's own.
       select quote_ident(tn.nspname) || '.' || quote_ident(ty.typname) as type, ty.typtype::text as kind,
              (select e.extname from pg_depend d join pg_extension e on e.oid = d.refobjid
                where d.classid = 'pg_type'::regclass and d.objid = ty.oid and d.deptype = 'e') as extension,
              u.used_by
         from used u
         join pg_type ty on ty.oid = u.oid
         join pg_namespace tn on tn.oid = ty.typnamespace
        where tn.nspname not in ('pg_catalog', 'information_schema')
          -- Sync makes enums and domains (readTypes), but not an extension's.
          and (ty.typtype not in ('e', 'd')
               or ${extensionMember("pg_type", "ty.oid")})
          -- A table's row type comes with its table; a composite type of its own does not.
          and (ty.typrelid = 0 or (select r.relkind from pg_class r where r.oid = ty.typrelid) = 'c')
       union all
       -- Extensions installed in a data-plane schema (pgcrypto's functions in public).
       select null, null, e.extname, 'installed in ' || n.nspname || ' on the primary'
         from pg_extension e join pg_namespace n on n.oid = e.extnamespace
        where n.nspname = any($1)
       union all
       -- Extensions whose language a function is in (plv8's).
       select null, null, e.extname, 'the language of ' || ${ROUTINE}
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         join pg_depend d on d.classid = 'pg_language'::regclass and d.objid = p.prolang and d.deptype = 'e'
         join pg_extension e on e.oid = d.refobjid
        where n.nspname = any($1) and not ${extensionMember("pg_proc", "p.oid")}
       union all
       -- Extensions whose operator classes an index of the data plane uses.
       select null, null, e.extname, 'used by the index ' || ic.relname
         from pg_index i
         join pg_class t on t.oid = i.indrelid join pg_namespace n on n.oid = t.relnamespace
         join pg_class ic on ic.oid = i.indexrelid
         cross join unnest(i.indclass::oid[]) oc(oid)
         join pg_depend d on d.classid = 'pg_opclass'::regclass and d.objid = oc.oid and d.deptype = 'e'
         join pg_extension e on e.oid = d.refobjid
        where n.nspname = any($1)) x
     order by coalesce(extension, type), used_by`,
    [schemas],
  );
  return rows.map((r) =>
    r.extension
      ? { extension: r.extension, usedBy: r.type ? `the type of ${r.used_by}` : r.used_by }
      : { type: r.type!, kind: r.kind!, usedBy: r.used_by },
  );
}
