import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { generateSample } from "@/db/sample/generate";
import { withTenant } from "@/db/tenant";
import { insertCustomers, useTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { runAdoption } from "./run";

const db = useTestDatabase();

/** The schema's shape and data, to compare before and after. */
async function fingerprint() {
  const { rows } = await db.owner.query(`
    select md5(string_agg(x, '|' order by x)) as catalog from (
      select c.relname || ':' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') as x
        from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum where n.nspname = 'app'
      union all select conrelid::regclass || ':' || conname || ':' || pg_get_constraintdef(k.oid) from pg_constraint k join pg_namespace n on n.oid = k.connamespace where n.nspname = 'app'
      union all select indexrelid::regclass || ':' || pg_get_indexdef(indexrelid) from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'app'
      union all select c.relname || ':rls:' || c.relrowsecurity || c.relforcerowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'app'
      union all select tablename || ':policy:' || policyname from pg_policies where schemaname = 'app') f`);
  const { rows: data } = await db.owner.query(
    `select md5(string_agg(tablename || '=' || (xpath('/row/s/text()', query_to_xml(format('select md5(string_agg(t::text, '','' order by t::text)) as s from app.%I t', tablename), false, true, '')))[1]::text, '|' order by tablename)) as data
       from pg_tables where schemaname = 'app'`,
  );
  return { catalog: rows[0].catalog as string, data: data[0].data as string };
}

beforeAll(() => generateSample(db.database.ownerUrl, { rows: 20_000 }), 60_000);

describe("a failed adoption", () => {
  for (const failAfter of ["add column", "tenant-scoped keys", "row-level security", "verify"]) {
    it(`injected after "${failAfter}" leaves the schema and data exactly as before, and says so`, async () => {
      const before = await fingerprint();
      const result = await runAdoption(db.database.ownerUrl, { schema: "app", failAfter });
      expect(result).toMatchObject({ ok: false, step: failAfter });
      expect(await fingerprint()).toEqual(before);
      const { rows } = await db.owner.query("select status, failed_step, instructions from control.adoption_runs where id = $1", [result.runId]);
      expect(rows[0]).toMatchObject({ status: "failed", failed_step: failAfter });
      expect(rows[0].instructions).toMatch(/^Nothing changed: .* rolled back/);
    });
  }
});

describe("a successful adoption", () => {
  it("scopes all 32 tables, verifies, keeps every row, and shows another customer none of them", async () => {
    const { rows: counts } = await db.owner.query("select count(*)::int as n from app.work_order_lines");
    const result = await runAdoption(db.database.ownerUrl, { schema: "app" });
    expect(result).toMatchObject({ ok: true, tables: 32 });
    const { rows: steps } = await db.owner.query("select step, outcome from control.adoption_steps where run_id = $1 order by id", [
      result.runId,
    ]);
    expect(steps.every((s) => s.outcome === "ok")).toBe(true);
    expect(steps.map((s) => s.step)).toContain("verify");
    const { rows: after } = await db.owner.query("select count(*)::int as n from app.work_order_lines where tenant_id = 'LEGACY001'");
    expect(after[0].n).toBe(counts[0].n);

    const [B] = await insertCustomers(db.owner, [generateCustomerId()]);
    const { rows: tables } = await db.owner.query<{ tablename: string }>("select tablename from pg_tables where schemaname = 'app'");
    const seenByB = await withTenant({ tenantId: B }, async (tx) => {
      let seen = 0;
      for (const { tablename } of tables) seen += (await tx.execute(sql`select count(*)::int as n from ${sql.identifier("app")}.${sql.identifier(tablename)}`)).rows[0].n as number;
      return seen;
    }, { readOnly: true });
    expect(seenByB).toBe(0);
    // A second run refuses: every table already has the column.
    const again = await runAdoption(db.database.ownerUrl, { schema: "app" });
    expect(again).toMatchObject({ ok: false });
    expect(again.ok === false && again.error).toMatch(/looks adopted already/);
  });
});
