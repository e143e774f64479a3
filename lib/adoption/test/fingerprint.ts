// For the adoption tests: a schema's shape and data as two hashes, to prove "identical to before".
// The catalog part covers columns with types, NOT NULL and defaults; constraints and indexes by
// definition; RLS flags; policies; view options and triggers. The data part hashes each table's
// rows without the tenant column, so it compares across an adoption as well as across a rollback.
import type { DatabaseFixture } from "@/db/test/fixture";

export async function fingerprint(db: DatabaseFixture, schema: string, column = "tenant_id") {
  const { rows } = await db.owner.query(
    `select md5(string_agg(x, '|' order by x)) as catalog from (
      select c.relname || ':' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') as x
        from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum where n.nspname = $1
      union all select conrelid::regclass || ':' || conname || ':' || pg_get_constraintdef(k.oid) from pg_constraint k join pg_namespace n on n.oid = k.connamespace where n.nspname = $1
      union all select indexrelid::regclass || ':' || pg_get_indexdef(indexrelid) from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1
      union all select c.relname || ':' || c.relkind::text || ':' || c.relrowsecurity || c.relforcerowsecurity || ':' || coalesce(c.reloptions::text, '') from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1
      union all select tablename || ':policy:' || policyname from pg_policies where schemaname = $1
      union all select t.tgrelid::regclass || ':trigger:' || t.tgname from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and not t.tgisinternal) f`,
    [schema],
  );
  const { rows: tables } = await db.owner.query<{ tablename: string }>(
    "select tablename from pg_tables where schemaname = $1 order by 1",
    [schema],
  );
  const parts: string[] = [];
  // The alias is not a plain letter: a table with a column of that name (PostgREST's test schema
  // has `t`) would hand to_jsonb the column, not the row.
  for (const { tablename } of tables) {
    const { rows: data } = await db.owner.query(
      `select count(*) as n, md5(string_agg(r, ',' order by r)) as sum from (select (to_jsonb(fingerprinted_row) - $1::text)::text as r from only "${schema}"."${tablename}" fingerprinted_row) x`,
      [column],
    );
    parts.push(`${tablename}=${data[0].n}:${data[0].sum}`);
  }
  return { catalog: rows[0].catalog as string, data: parts.join("|") };
}
