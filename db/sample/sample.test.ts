import { describe, expect, it } from "vitest";
import { freshTestDatabase } from "../test/fixture";
import { generateSample } from "./generate";

const db = freshTestDatabase();

async function checksum(table: string) {
  const { rows } = await db.owner.query(
    `select md5(string_agg(t::text, '|' order by id)) as sum from app.${table} t`,
  );
  return rows[0].sum as string;
}

describe("the sample data plane", () => {
  it("has the 32 legacy tables, single-tenant, with their keys, at the requested size", async () => {
    const result = await generateSample(db.database.ownerUrl, { rows: 20_000 });
    expect(result.tables).toBe(32);
    expect(result.rows).toBeGreaterThan(18_000);
    expect(result.rows).toBeLessThan(22_000);
    const { rows } = await db.owner.query(`
      select count(*) filter (where c.contype = 'f')::int as fks, count(*) filter (where c.contype = 'u')::int as uniques,
             (select count(*)::int from pg_tables where schemaname = 'app') as tables,
             (select count(*)::int from information_schema.columns where table_schema = 'app' and column_name = 'tenant_id') as tenant_columns
        from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = 'app'`);
    expect(rows[0]).toMatchObject({ tables: 32, tenant_columns: 0 });
    expect(rows[0].fks).toBeGreaterThanOrEqual(28);
    expect(rows[0].uniques).toBeGreaterThanOrEqual(12);
    const total = await db.owner.query(
      `select sum((xpath('/row/n/text()', query_to_xml('select count(*) as n from app.' || tablename, false, true, '')))[1]::text::int)::int as n
         from pg_tables where schemaname = 'app'`,
    );
    expect(total.rows[0].n).toBe(result.rows);
  });

  it("is deterministic, and refuses to overwrite without --reset", async () => {
    const before = [await checksum("work_order_lines"), await checksum("customers")];
    await expect(generateSample(db.database.ownerUrl, { rows: 20_000 })).rejects.toThrow(
      /exists already/,
    );
    await generateSample(db.database.ownerUrl, { rows: 20_000, reset: true });
    expect([await checksum("work_order_lines"), await checksum("customers")]).toEqual(before);
  });
});
