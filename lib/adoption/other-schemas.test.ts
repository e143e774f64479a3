// The engine on schemas that are not the sample: one with the shapes that trip adoptions up (a
// composite primary key, no primary key, a self-reference, a dependent view, a partitioned table, a
// trigger), adopted, verified and reverted; and one half-adopted by hand, which verify must read
// table by table — the state most of our users are in.
import { beforeAll, describe, expect, it } from "vitest";
import { withSystem } from "@/db/tenant";
import { freshTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { introspect } from "./introspect";
import { planAdoption } from "./plan";
import { runAdoption, runRevert, runVerification } from "./run";
import { fingerprint } from "./test/fingerprint";

const db = freshTestDatabase();
const url = () => db.database.ownerUrl;

describe("a schema with every awkward shape", () => {
  beforeAll(async () => {
    await db.owner.query(`
      create schema shop;
      create table shop.regions (code text primary key, name text not null);
      create table shop.stores (id int primary key, region text references shop.regions, parent_id int references shop.stores);
      create table shop.stock (store_id int references shop.stores, sku text, qty int, primary key (store_id, sku));
      create table shop.events (at timestamptz, store_id int, kind text);
      create index on shop.events (store_id, at);
      create table shop.sales (id bigint, sold_on date not null, store_id int references shop.stores, amount numeric, primary key (id, sold_on)) partition by range (sold_on);
      create table shop.sales_2024 partition of shop.sales for values from ('2024-01-01') to ('2025-01-01');
      create table shop.sales_2025 partition of shop.sales for values from ('2025-01-01') to ('2026-01-01');
      create function shop.touch() returns trigger language plpgsql as $$ begin return new; end $$;
      create trigger stock_touch before update on shop.stock for each row execute function shop.touch();
      create view shop.store_stock as select s.id, sum(k.qty) as qty from shop.stores s join shop.stock k on k.store_id = s.id group by s.id;
      insert into shop.regions values ('N', 'North');
      insert into shop.stores values (1, 'N', null), (2, 'N', 1);
      insert into shop.stock values (1, 'A', 5), (2, 'A', 7);
      insert into shop.events values (now(), 1, 'open');
      insert into shop.sales values (1, '2024-05-01', 1, 10), (2, '2025-05-01', 2, 20);`);
  });

  it("plans, runs, verifies green, and reverts to exactly what it was", async () => {
    const before = await fingerprint(db, "shop");
    const tables = await withSystem("adoption", (tx) => introspect(tx, "shop"), { readOnly: true });
    expect(planAdoption("shop", tables, { globalTables: ["regions"] }).problems).toEqual([]);

    const adopted = await runAdoption(url(), { schema: "shop", globalTables: ["regions"] });
    if (!adopted.ok) throw new Error(adopted.instructions);
    const state = Object.fromEntries(adopted.report.tables.map((t) => [t.table, t.state]));
    expect(state).toEqual({
      events: "isolated",
      regions: "global",
      sales: "isolated",
      stock: "isolated",
      stores: "isolated",
    });
    expect(adopted.report.summary.text).toBe("4 of 5 tables isolated; 1 global");
    expect(adopted.report.tables.find((t) => t.table === "stock")!.views).toEqual([
      { name: "store_stock", invoker: true },
    ]);
    expect(adopted.report.tables.find((t) => t.table === "sales")!.rows).toBe(2);
    expect((await fingerprint(db, "shop")).data).toEqual(before.data);

    // A later verification knows regions is global from the standing adoption.
    const verified = await runVerification(url(), { schema: "shop" });
    expect(verified.ok && verified.report.ok).toBe(true);

    const reverted = await runRevert(url(), { schema: "shop" });
    if (!reverted.ok) throw new Error(reverted.instructions);
    expect(await fingerprint(db, "shop")).toEqual(before);
  });

  it("refuses a table with a conflicting column before it changes anything, naming it", async () => {
    await db.owner.query("alter table shop.events add column tenant_id int");
    const before = await fingerprint(db, "shop");
    const result = await runAdoption(url(), { schema: "shop", globalTables: ["regions"] });
    expect(result).toMatchObject({
      ok: false,
      step: "plan",
      error: expect.stringMatching(
        /^shop\.events already has a column named tenant_id \(adopted by hand, or a column of its own\): rename it/,
      ),
    });
    expect(await fingerprint(db, "shop")).toEqual(before);
    await db.owner.query("alter table shop.events drop column tenant_id");
  });
});

describe("a schema half-adopted by hand", () => {
  const A = generateCustomerId();
  const B = generateCustomerId();
  const policy = "tenant_id = (select nullif(current_setting('app.tenant_id', true), ''))";

  beforeAll(async () => {
    await db.owner.query(`
      create schema legacy;
      create table legacy.orders (tenant_id text not null default (nullif(current_setting('app.tenant_id', true), '')), id int primary key);
      create index on legacy.orders (tenant_id, id);
      alter table legacy.orders enable row level security, force row level security;
      create policy orders_tenant on legacy.orders using (${policy}) with check (${policy});
      create table legacy.order_items (tenant_id text not null, id int primary key, order_id int references legacy.orders);
      alter table legacy.order_items enable row level security;
      create policy order_items_tenant on legacy.order_items using (${policy}) with check (${policy});
      create table legacy.notes (tenant_id text, id int primary key);
      alter table legacy.notes enable row level security, force row level security;
      create policy notes_tenant on legacy.notes using (${policy}) with check (${policy});
      create table legacy.leaky (tenant_id text not null, id int primary key);
      create table legacy.settings (key text primary key, value text);
      grant usage on schema legacy to tenantry_tenant;
      grant select on all tables in schema legacy to tenantry_tenant;
      insert into legacy.orders values ('${A}', 1), ('${A}', 2), ('${B}', 3);
      insert into legacy.order_items values ('${A}', 1, 1), ('${B}', 2, 2);
      insert into legacy.notes values ('${A}', 1), (null, 2);
      insert into legacy.leaky values ('${A}', 1);
      insert into legacy.settings values ('currency', 'EUR');`);
  });

  it("reads each table's state, counts NULL tenants and cross-customer references, and the probe catches the leak", async () => {
    const result = await runVerification(url(), { schema: "legacy" });
    if (!result.ok) throw new Error(result.instructions);
    const report = result.report;
    const byName = Object.fromEntries(report.tables.map((t) => [t.table, t]));
    expect(byName.orders).toMatchObject({
      state: "isolated",
      problems: [],
      warnings: [],
      rowsPerCustomer: [
        { tenant: A, rows: 2 },
        { tenant: B, rows: 1 },
      ],
    });
    expect(byName.order_items).toMatchObject({
      state: "partial",
      crossTenantRefs: 1,
      rlsForced: false,
      foreignKeys: { total: 1, composite: 0 },
    });
    expect(byName.order_items.problems).toEqual([
      "foreign key order_items_order_id_fkey → orders does not include tenant_id: 1 rows point at another customer's row",
      "row-level security is not forced: the table's owner bypasses it",
    ]);
    expect(byName.notes).toMatchObject({ state: "partial", nullTenants: 1, notNull: false });
    expect(byName.leaky.state).toBe("partial");
    expect(byName.leaky.problems).toContain(
      `a probe as ${report.probe.asCustomer} sees 1 rows of ${A}`,
    );
    expect(byName.settings).toMatchObject({ state: "not isolated", rows: 1 });
    expect(report.probe).toMatchObject({ ok: false, ofCustomer: A });
    expect(report.summary.text).toBe("1 of 5 tables isolated; 3 partly; 1 not isolated");
    expect(report.ok).toBe(false);
  });

  it("plans nothing over it: the plan names each table that already has the column", async () => {
    const tables = await withSystem("adoption", (tx) => introspect(tx, "legacy"), {
      readOnly: true,
    });
    expect(planAdoption("legacy", tables).problems).toEqual(
      ["leaky", "notes", "order_items", "orders"].map(
        (t) =>
          `legacy.${t} already has a column named tenant_id (adopted by hand, or a column of its own): rename it, choose another column name, or finish the table by hand — Verify shows what it lacks.`,
      ),
    );
  });
});
