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
  /** Every column but the customer column, in table order, with its type. */
  columns: { name: string; type: string; required: boolean }[];
}

/** A customer table's quoted name, and its columns' quoted list (lib/adoption/sql.ts quotes). */
export const qualifiedName = (t: { schema: string; table: string }) => qualified(t.schema, t.table);
export const columnList = (columns: { name: string }[]) => identList(columns.map((c) => c.name));

export async function customerTables(client: OwnerClient): Promise<CustomerTable[]> {
  const { rows } = await client.query<{
    schema: string;
    table: string;
    columns: CustomerTable["columns"];
    parents: string[] | null;
  }>(
    `select n.nspname as schema, c.relname as table,
            (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                     'required', a.attnotnull and not a.atthasdef and a.attidentity = '' and a.attgenerated = '') order by a.attnum)
               from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attname <> $1) as columns,
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
  // Parents first: a table comes once every table it points at (among these) has come.
  const key = (r: { schema: string; table: string }) => `${r.schema}.${r.table}`;
  const names = new Set(rows.map(key));
  const ordered: typeof rows = [];
  const placed = new Set<string>();
  let pending = rows;
  while (pending.length) {
    const ready = pending.filter((r) =>
      (r.parents ?? []).every((p) => placed.has(p) || !names.has(p)),
    );
    // A cycle between tables: the rest keep their order (a restore then fails on a key, and says so).
    const next = ready.length ? ready : pending;
    for (const r of next) placed.add(key(r));
    ordered.push(...next);
    pending = pending.filter((r) => !placed.has(key(r)));
  }
  return ordered.map(({ schema, table, columns }) => ({ schema, table, columns }));
}
