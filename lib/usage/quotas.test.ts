// Quotas that act (issue #17): a usage snapshot notes a customer crossing 80 % and then 100 % of
// its rows limit — one audit event and one alert per level, never again for the same level —
// and the overview lists it as over; the other customer, under its limit, gets nothing.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { withPlatform, withTenant } from "@/db/tenant";
import { freshTestDatabase, insertCustomers } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { platformOverview } from "./queries";
import { quotaLevels } from "./quotas";
import { takeSnapshot } from "./snapshot";

const db = freshTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];
const TENANT = "(select nullif(current_setting('app.tenant_id', true), ''))";

const addRows = (tenant: string, from: number, count: number) =>
  db.owner.query(
    `insert into q.items (tenant_id, id) select $1, g from generate_series($2::int, $3::int) g`,
    [tenant, from, from + count - 1],
  );
const crossings = async () =>
  (
    await db.owner.query(
      "select tenant_id, details->>'level' as level from control.audit_events where action = 'quota.crossed' order by id",
    )
  ).rows;

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B]);
  // A scoped table of this test's own, made as the adoption makes one.
  for (const statement of [
    "create schema q",
    "create table q.items (tenant_id text not null default current_setting('app.tenant_id'), id int not null, primary key (tenant_id, id))",
    "alter table q.items enable row level security",
    "alter table q.items force row level security",
    `create policy items_tenant_isolation on q.items using (tenant_id = ${TENANT}) with check (tenant_id = ${TENANT})`,
    "grant usage on schema q to tenantry_tenant, tenantry_platform",
    "grant select, insert, update, delete on q.items to tenantry_tenant, tenantry_platform",
  ])
    await db.owner.query(statement);
  await db.owner.query(
    `update control.customers set quota_overrides = '{"maxRows": 10}' where id = any($1)`,
    [[A, B]],
  );
  await addRows(A, 1, 9);
  await addRows(B, 1, 5);
});

describe("rows against the limit", () => {
  it("note each level crossed once, for the customer that crossed it, and list it as over", async () => {
    await takeSnapshot("command");
    expect(await crossings()).toEqual([{ tenant_id: A, level: "80" }]);
    await takeSnapshot("command");
    expect(await crossings()).toEqual([{ tenant_id: A, level: "80" }]);

    await addRows(A, 10, 2);
    await takeSnapshot("command");
    expect(await crossings()).toEqual([
      { tenant_id: A, level: "80" },
      { tenant_id: A, level: "100" },
    ]);
    const { rows: alerts } = await db.owner.query(
      "select tenant_id, dedupe_key from control.alerts where kind = 'quota' order by raised_at",
    );
    expect(alerts).toEqual([
      { tenant_id: A, dedupe_key: `quota:${A}:rows.total:80` },
      { tenant_id: A, dedupe_key: `quota:${A}:rows.total:100` },
    ]);
    const overview = await withPlatform(
      { userId: crypto.randomUUID(), email: "root@example.com", platformRole: "super_admin" },
      { action: "test" },
      (tx) => platformOverview(tx, 1_000_000),
    );
    expect(overview.overQuota).toEqual([
      expect.objectContaining({ id: A, rows: 11, max_rows: 10 }),
    ]);
    // B's trail holds none of A's crossings.
    const seen = await withTenant({ tenantId: B }, (tx) =>
      tx.execute<{ n: number }>(
        sql`select count(*)::int as n from control.audit_events where action = 'quota.crossed'`,
      ),
    );
    expect(seen.rows[0].n).toBe(0);
  });

  it("give the banner's levels", () => {
    const limits = { maxRows: 10, maxStorageBytes: 1000, maxApiCallsMonth: 100 };
    expect(quotaLevels({ "rows.total": 7, "storage.bytes": 10 }, limits, 79)).toEqual([]);
    expect(quotaLevels({ "rows.total": 8, "storage.bytes": 1000 }, limits, 80)).toEqual([
      { metric: "rows", level: 80, value: 8, limit: 10 },
      { metric: "storage", level: 100, value: 1000, limit: 1000 },
      { metric: "api-calls", level: 80, value: 80, limit: 100 },
    ]);
    expect(quotaLevels({}, limits, 105)).toEqual([
      { metric: "api-calls", level: 100, value: 105, limit: 100 },
    ]);
  });
});
