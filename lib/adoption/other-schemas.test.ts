// The engine on schemas that are not the sample: one with the shapes that trip adoptions up (a
// composite primary key, no primary key, a self-reference, a dependent view, a partitioned table, a
// trigger), adopted, verified and reverted; and one half-adopted by hand, which verify must read
// table by table — the state most of our users are in.
import { beforeAll, describe, expect, it } from "vitest";
import { inOwnerTransaction } from "@/db/owner";
import { withSystem } from "@/db/tenant";
import { freshTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { introspect } from "./introspect";
import { describeRows, planAdoption } from "./plan";
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
        /^shop\.events already has a column named tenant_id, of type integer: a customer ID is text, so it is a column of its own\. Rename it/,
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

  it("finishes it: the plan names what the run would fail on, completes the rest, and the revert puts it back", async () => {
    // As the owner, as the run plans: the console's roles may not read every table's rows.
    const read = () => inOwnerTransaction(url(), (_client, tx) => introspect(tx, "legacy"));
    const plan = planAdoption("legacy", await read());
    expect(plan.problems).toEqual([
      "1 rows of legacy.notes have no tenant_id: give them a customer (update … set tenant_id = '…' where tenant_id is null) or delete them, then plan again.",
      "1 rows of legacy.order_items point through order_items_order_id_fkey at another customer's row of orders: the composite key would refuse them. Correct or delete them, then plan again.",
    ]);
    const changes = (table: string) => plan.tables.find((t) => t.table === table)!.changes;
    expect(changes("orders")).toEqual(
      expect.arrayContaining([
        "has tenant_id already: finished, not added; new rows: the tenant setting",
        "RLS enabled, forced; its tenant policy orders_tenant kept",
      ]),
    );
    expect(changes("notes")[0]).toBe(
      "has tenant_id already: finished, not added; made NOT NULL through a check validated outside the lock; new rows: the tenant setting",
    );
    expect(changes("settings")[0]).toBe(
      "add tenant_id (existing rows: LEGACY001; new rows: the tenant setting)",
    );
    const unchanged = await fingerprint(db, "legacy");
    expect(await runAdoption(url(), { schema: "legacy" })).toMatchObject({
      ok: false,
      step: "plan",
    });
    expect(await fingerprint(db, "legacy")).toEqual(unchanged);

    // The admin settles the two rows, as the plan says; the run finishes every table.
    await db.owner.query("delete from legacy.notes where tenant_id is null");
    await db.owner.query("delete from legacy.order_items where id = 2");
    expect(planAdoption("legacy", await read()).problems).toEqual([]);
    const before = await fingerprint(db, "legacy");
    // A failure after each step only a finish has leaves it exactly as it was.
    for (const failAfter of ["check the tenant column", "validate the tenant column"]) {
      const failed = await runAdoption(url(), { schema: "legacy", failAfter });
      expect(failed).toMatchObject({ ok: false, step: failAfter });
      expect(await fingerprint(db, "legacy")).toEqual(before);
    }
    const adopted = await runAdoption(url(), { schema: "legacy" });
    if (!adopted.ok) throw new Error(adopted.instructions);
    expect(adopted.report.summary.text).toBe("5 of 5 tables isolated");
    expect(adopted.report.tables.find((t) => t.table === "orders")!.rowsPerCustomer).toEqual([
      { tenant: A, rows: 2 },
      { tenant: B, rows: 1 },
    ]);
    expect((await fingerprint(db, "legacy")).data).toEqual(before.data);

    // The revert keeps the column where it was before, and brings back the rest exactly.
    const reverted = await runRevert(url(), { schema: "legacy" });
    if (!reverted.ok) throw new Error(reverted.instructions);
    expect(await fingerprint(db, "legacy")).toEqual(before);
  });
});

describe("what the plan must name before anything runs", () => {
  beforeAll(async () => {
    await db.owner.query(`
      create schema reports;
      create table reports.accounts (id int primary key, name text not null);
      create table reports.orders (id int primary key, account_id int references reports.accounts, total numeric);
      -- Groups by the primary key and selects another column: it depends on the key constraint.
      create view reports.account_totals as
        select a.id, a.name, sum(o.total) as total from reports.accounts a join reports.orders o on o.account_id = a.id group by a.id;
      create materialized view reports.order_snapshot as select id, total from reports.orders;
      insert into reports.accounts values (1, 'One');
      insert into reports.orders values (1, 1, 10);`);
  });

  it("names a materialized view, keeps a key a view groups by, and the run does what the plan said", async () => {
    const tables = await withSystem("adoption", (tx) => introspect(tx, "reports"), {
      readOnly: true,
    });
    const plan = planAdoption("reports", tables);
    expect(plan.problems).toEqual([
      "reports.order_snapshot is a materialized view over orders: it stores rows, which row-level security cannot filter, so every customer could read all of them. Drop it, or replace it with a plain view (adoption makes views security_invoker), then plan again.",
    ]);
    expect(plan.tables.find((t) => t.table === "accounts")!.changes).toContain(
      "primary key accounts_pkey (id) kept across all customers: the views account_totals group by it; unique accounts_pkey_per_customer (tenant_id, id) added for the foreign keys",
    );

    // A run refuses at its plan, with the plan's own words, and changes nothing.
    const before = await fingerprint(db, "reports");
    const refused = await runAdoption(url(), { schema: "reports" });
    expect(refused).toMatchObject({ ok: false, step: "plan" });
    expect(refused.ok ? "" : refused.error).toContain("reports.order_snapshot is a materialized");
    expect(await fingerprint(db, "reports")).toEqual(before);
    // Why the key is kept rather than rebuilt: PostgreSQL refuses to drop it under the view.
    await expect(
      db.owner.query("alter table reports.accounts drop constraint accounts_pkey"),
    ).rejects.toThrow(/depend/);

    // With the materialized view set aside, as the plan says, it adopts, view and all.
    await db.owner.query("drop materialized view reports.order_snapshot");
    const adopted = await runAdoption(url(), { schema: "reports" });
    expect(adopted.ok ? adopted.report.summary.text : adopted.instructions).toBe(
      "2 of 2 tables isolated",
    );
    const { rows } = await db.owner.query(
      "select pg_get_constraintdef(oid) as d from pg_constraint where conname = 'orders_account_id_fkey'",
    );
    expect(rows[0].d).toBe(
      "FOREIGN KEY (tenant_id, account_id) REFERENCES reports.accounts(tenant_id, id)",
    );
  });

  it("counts a table that was never analysed instead of calling it empty, and says where each count comes from", async () => {
    await db.owner.query(`
      create schema counted;
      create table counted.fresh (id int primary key);
      insert into counted.fresh select generate_series(1, 250);
      grant usage on schema counted to tenantry_platform;
      grant select on counted.fresh to tenantry_platform;
      create table counted.hidden (id int primary key);
      insert into counted.hidden values (1);
      create table counted.analysed (id int primary key);
      insert into counted.analysed select generate_series(1, 40);
      analyze counted.analysed;`);
    const tables = await withSystem("adoption", (tx) => introspect(tx, "counted"), {
      readOnly: true,
    });
    const plan = planAdoption("counted", tables).tables;
    expect(plan.map((t) => `${t.table}: ${describeRows(t)}`)).toEqual([
      "analysed: about 40 rows",
      "fresh: 250 rows, counted",
      "hidden: rows unknown: never analysed",
    ]);
  });
});

describe("an adoption cut off with its process", () => {
  it("is finished by the next run: what it had built is dropped first, the rest completed", async () => {
    await db.owner.query(`
      create schema cut;
      create table cut.accounts (id int primary key, name text);
      create table cut.orders (id int primary key, account_id int references cut.accounts);
      insert into cut.accounts values (1, 'a');
      insert into cut.orders values (1, 1);
      -- What its first two phases had committed when the process stopped:
      alter table cut.accounts add column tenant_id text not null default 'LEGACY001';
      alter table cut.orders add column tenant_id text not null default 'LEGACY001';
      create unique index accounts_pkey_tenantry on cut.accounts (tenant_id, id);`);
    const plan = planAdoption(
      "cut",
      await inOwnerTransaction(url(), (_client, tx) => introspect(tx, "cut")),
    );
    expect(plan.problems).toEqual([]);
    expect(plan.tables.find((t) => t.table === "accounts")!.changes).toContain(
      "index accounts_pkey_tenantry left by an interrupted run: dropped first",
    );
    const adopted = await runAdoption(url(), { schema: "cut" });
    expect(adopted.ok ? adopted.report.summary.text : adopted.instructions).toBe(
      "2 of 2 tables isolated",
    );
  });
});
