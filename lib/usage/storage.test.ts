import { beforeAll, describe, expect, it } from "vitest";
import { figuresAsOf, insertCustomers, freshTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { snapshotTaken } from "./test/snapshot";

const db = freshTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];

const storage = async (runId: string, tenantId: string) =>
  (await figuresAsOf(db.owner, runId, tenantId))["storage.bytes"];
const basis = async (runId: string) => {
  const { rows } = await db.owner.query<{ basis: Record<string, number> }>(
    "select storage_basis as basis from control.usage_runs where id = $1",
    [runId],
  );
  return rows[0].basis["rows.app.items"];
};

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B]);
  // A scoped table shared by both, B holding most of it; no autovacuum to change its size
  // between runs, and vacuumed once so its maps are there from the first run.
  await db.owner.query(`
    create schema app;
    create table app.items (tenant_id text not null, id int, note text, primary key (tenant_id, id))
      with (autovacuum_enabled = false);
    alter table app.items enable row level security;
    alter table app.items force row level security;
    create policy items_tenant on app.items
      using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')));
    grant usage on schema app to tenantry_tenant, tenantry_platform;
    grant select on app.items to tenantry_tenant, tenantry_platform;`);
  await db.owner.query(
    `insert into app.items select $1, g, repeat('x', 100) from generate_series(1, 1000) g
     union all select $2, g, repeat('x', 100) from generate_series(1, 5000) g`,
    [A, B],
  );
  await db.owner.query("vacuum app.items");
});

describe("the storage estimate", () => {
  it("follows a customer's own rows while the table's bytes a row stay within 10 %, and is shared out again beyond", async () => {
    const first = await snapshotTaken("command");
    expect(first.changed).toBe(2);
    const perRow = await basis(first.runId);
    const { rows: size } = await db.owner.query<{ bytes: string }>(
      "select pg_total_relation_size('app.items') as bytes",
    );
    expect(perRow).toBeCloseTo(Number(size[0].bytes) / 6000, 6);
    expect(await storage(first.runId, A)).toBe(Math.round(1000 * perRow));

    // A adds 1 %: the table grows by pages, B's rows and storage stay as they were, so only A
    // is written, at the same bytes a row.
    await db.owner.query(
      "insert into app.items select $1, g, repeat('x', 100) from generate_series(1001, 1060) g",
      [A],
    );
    const grown = await snapshotTaken("command");
    expect(grown.changed).toBe(1);
    expect(await basis(grown.runId)).toBe(perRow);
    expect(await storage(grown.runId, A)).toBe(Math.round(1060 * perRow));
    expect(await storage(grown.runId, B)).toBe(await storage(first.runId, B));

    // B's rows grow ten times wider, their number the same: the table's bytes a row move far
    // beyond 10 %, so every share is worked out again, B's larger.
    await db.owner.query("update app.items set note = repeat('y', 1000) where tenant_id = $1", [B]);
    const wider = await snapshotTaken("command");
    expect(wider.changed).toBe(2);
    expect(await basis(wider.runId)).toBeGreaterThan(perRow * 1.1);
    expect(await storage(wider.runId, B)).toBeGreaterThan(await storage(grown.runId, B));
  });
});
