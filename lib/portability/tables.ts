// The tables a customer's data lives in (docs/architecture.md §12): every table of the data
// plane that carries the customer column under forced row-level security, each with its
// columns and types (the schema fingerprint an archive carries), in foreign-key order —
// parents before children — so rows can be written in that order and deleted in reverse.
import "server-only";
import type { OwnerClient } from "@/db/owner";
import { identList, qualified } from "../adoption/sql";

export const CUSTOMER_COLUMN = "tenant_id";

export interface CustomerTable {
  schema: string;
  table: string;
  /**
   * Every column but the customer column, in table order, with its type; `generated`: a stored
   * generated column, read like any other but never written (absent in older archives).
   */
  columns: { name: string; type: string; required: boolean; generated?: boolean }[];
}

/** A customer table's quoted name, and its columns' quoted list (lib/adoption/sql.ts quotes). */
export const qualifiedName = (t: { schema: string; table: string }) => qualified(t.schema, t.table);
export const columnList = (columns: { name: string }[]) => identList(columns.map((c) => c.name));

/**
 * Writing `rows` rows into a table with no column but the customer's (a placeholder, as
 * PostgREST's test schema has): COPY and INSERT need a column list, and there is none, so only
 * the number of rows travels, and they are written as that many rows of the table's defaults
 * (the customer column's is the customer's setting). Read back, they are as many empty lines.
 */
export const defaultRows = (t: { schema: string; table: string }, rows: number) =>
  `insert into ${qualifiedName(t)} select from generate_series(1, ${Math.trunc(rows)})`;

/**
 * Deletes at most `batch` rows of `t` (those `where` picks, if given): for an erase or a move's
 * cleanup, batch by batch. A row is named by its partition and its ctid, which partitions share.
 */
export const deleteBatch = (t: CustomerTable, batch: number, where = "") =>
  `delete from ${qualifiedName(t)} where (tableoid, ctid) in (select tableoid, ctid from ${qualifiedName(t)}${where && ` where ${where}`} limit ${batch})`;

export async function customerTables(client: OwnerClient): Promise<CustomerTable[]> {
  const { rows } = await client.query<{
    schema: string;
    table: string;
    columns: CustomerTable["columns"];
    parents: string[] | null;
  }>(
    `select n.nspname as schema, c.relname as table,
            coalesce((select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                     'required', a.attnotnull and not a.atthasdef and a.attidentity = '' and a.attgenerated = '',
                     'generated', case when a.attgenerated <> '' then true end) order by a.attnum)
               from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attname <> $1),
              '[]') as columns,
            (select array_agg(distinct p.relnamespace::regnamespace::text || '.' || p.relname)
               from pg_constraint k join pg_class p on p.oid = k.confrelid
              where k.conrelid = c.oid and k.contype = 'f' and p.oid <> c.oid) as parents
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and not c.relispartition and c.relforcerowsecurity
        and n.nspname not in ('control', 'drizzle', 'information_schema') and n.nspname not like 'pg\\_%'
        and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = $1 and not a.attisdropped)
      order by 1, 2`,
    [CUSTOMER_COLUMN],
  );
  // Parents first: a table comes once every table it points at (among these) has come. Where
  // tables point at one another in a cycle, one of them comes first (the first by name whose
  // parents wait only on the cycle), and the order goes on from there: the tables outside the
  // cycle still come after their parents. Rows of a cycle are written unchecked and their keys
  // checked after (restore.ts, and a move's copy).
  const key = (r: { schema: string; table: string }) => `${r.schema}.${r.table}`;
  const names = new Set(rows.map(key));
  const parentsOf = new Map(
    rows.map((r) => [key(r), (r.parents ?? []).filter((p) => names.has(p))]),
  );
  /** Whether `to` is `from` or one of its parents', at any depth. */
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return parentsOf.get(from)!.some((p) => reaches(p, to, seen));
  };
  const ordered: typeof rows = [];
  const placed = new Set<string>();
  let pending = rows;
  while (pending.length) {
    const ready = pending.filter((r) => parentsOf.get(key(r))!.every((p) => placed.has(p)));
    // None ready: a cycle. The first table whose unplaced parents all lead back to it.
    const next = ready.length
      ? ready
      : [
          pending.find((r) =>
            parentsOf.get(key(r))!.every((p) => placed.has(p) || reaches(p, key(r))),
          ) ?? pending[0],
        ];
    for (const r of next) placed.add(key(r));
    ordered.push(...next);
    pending = pending.filter((r) => !placed.has(key(r)));
  }
  // `generated` only where true: an archive's manifest is as before for tables without them.
  return ordered.map(({ schema, table, columns }) => ({
    schema,
    table,
    columns: columns.map(({ generated, ...c }) => (generated ? { ...c, generated } : c)),
  }));
}

/**
 * The foreign keys of `tables` (and of their partitions) that rows point through at no row, as
 * the client may read them (as the tenant role: one customer's), each as "schema.table's key
 * (n rows)". For rows written without the keys' checks (replica mode): those of a cycle cannot be
 * checked one table before the other. MATCH SIMPLE, as every key of an adopted table is: a row
 * with a NULL in the key points at nothing.
 */
export async function danglingReferences(
  client: OwnerClient,
  tables: { schema: string; table: string }[],
): Promise<string[]> {
  const { rows: keys } = await client.query<{
    child: string;
    parent: string;
    name: string;
    columns: string[];
    refs: string[];
  }>(
    `select k.conrelid::regclass::text as child, k.confrelid::regclass::text as parent, k.conname as name,
            (select array_agg(quote_ident(a.attname) order by x.n) from unnest(k.conkey) with ordinality x(attnum, n)
               join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.attnum) as columns,
            (select array_agg(quote_ident(a.attname) order by x.n) from unnest(k.confkey) with ordinality x(attnum, n)
               join pg_attribute a on a.attrelid = k.confrelid and a.attnum = x.attnum) as refs
       from pg_constraint k
      where k.contype = 'f' and k.conparentid = 0
        -- A partition's own keys too (pg_partition_ancestors has no rows for a plain table).
        and (k.conrelid = any($1::regclass[])
             or exists (select 1 from pg_partition_ancestors(k.conrelid) t where t.relid = any($1::regclass[])))
      order by 1, 3`,
    [tables.map(qualifiedName)],
  );
  const dangling: string[] = [];
  for (const k of keys) {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from ${k.child} c
        where ${k.columns.map((c) => `c.${c} is not null`).join(" and ")}
          and not exists (select 1 from ${k.parent} p where ${k.columns.map((c, i) => `p.${k.refs[i]} = c.${c}`).join(" and ")})`,
    );
    if (Number(rows[0].n)) dangling.push(`${k.child}'s ${k.name} (${rows[0].n} rows)`);
  }
  return dangling;
}

/**
 * The tables with the columns a row is written with: a stored generated column is computed
 * again where the row lands (a move copies and verifies these; an archive keeps them all).
 */
export const writtenColumns = (tables: CustomerTable[]): CustomerTable[] =>
  tables.map((t) => ({ ...t, columns: t.columns.filter((c) => !c.generated) }));
