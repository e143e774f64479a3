import { beforeAll, describe, expect, it } from "vitest";
import { generateSample } from "@/db/sample/generate";
import { withSystem } from "@/db/tenant";
import { useTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { introspect } from "./introspect";
import { planAdoption, type AdoptionPlan } from "./plan";

const db = useTestDatabase();
const read = (schema: string) => withSystem("adoption", (tx) => introspect(tx, schema), { readOnly: true });

/** Runs the plan's SQL as the owner, checks with `inspect`, and rolls everything back. */
async function tryPlan(plan: AdoptionPlan, inspect: (query: (text: string, values?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<void>) {
  const client = await db.owner.connect();
  try {
    await client.query("begin");
    for (const s of plan.steps) for (const statement of s.statements) await client.query(statement);
    await inspect(async (text, values) => (await client.query(text, values)).rows);
  } finally {
    await client.query("rollback");
    client.release();
  }
}

describe("the adoption plan on the sample", () => {
  beforeAll(() => generateSample(db.database.ownerUrl, { rows: 20_000 }), 60_000);

  it("reads all 32 tables with their keys, plans them without problems, and its SQL runs", async () => {
    const tables = await read("app");
    expect(tables).toHaveLength(32);
    const workOrders = tables.find((t) => t.name === "work_orders")!;
    expect(workOrders.primaryKey?.columns).toEqual(["id"]);
    expect(workOrders.uniques.map((u) => u.columns)).toEqual([["number"]]);
    expect(workOrders.foreignKeys.map((f) => f.refTable).sort()).toEqual(["customer_vehicles", "customers"]);

    const plan = planAdoption("app", tables);
    expect(plan.problems).toEqual([]);
    expect(plan.tables.filter((t) => t.scoped)).toHaveLength(32);
    const internalFks = tables.reduce((n, t) => n + t.foreignKeys.length, 0);

    await tryPlan(plan, async (query) => {
      const [shape] = await query(`
        select count(*) filter (where a.attnotnull)::int as tenant_columns,
               count(*) filter (where c.relforcerowsecurity)::int as forced
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
          join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
         where n.nspname = 'app' and c.relkind = 'r'`);
      expect(shape).toEqual({ tenant_columns: 32, forced: 32 });
      const [keys] = await query(`
        select count(*) filter (where k.contype = 'f' and array_length(k.conkey, 1) = 2)::int as composite_fks,
               count(*) filter (where k.contype = 'p' and (select attname from pg_attribute where attrelid = k.conrelid and attnum = k.conkey[1]) = 'tenant_id')::int as pks
          from pg_constraint k join pg_namespace n on n.oid = k.connamespace where n.nspname = 'app'`);
      expect(keys).toEqual({ composite_fks: internalFks, pks: 32 });
      // Existing rows belong to the legacy customer; a row pointing at another customer's parent is refused.
      const [owners] = await query("select count(distinct tenant_id)::int as n, min(tenant_id) as t from app.work_orders");
      expect(owners).toEqual({ n: 1, t: "LEGACY001" });
      const other = generateCustomerId();
      await query("savepoint probe");
      await expect(
        query("insert into app.work_orders (tenant_id, id, number, customer_id, status, opened_at) values ($1, 999999, 'X-1', 1, 'open', now())", [other]),
      ).rejects.toThrow(/foreign key/);
      await query("rollback to savepoint probe");
      // users.email is unique per customer, not globally.
      await query("insert into app.users (tenant_id, id, email, name, role, password_hash, created_at) values ($1, 999999, 'user1@shop.example', 'x', 'cashier', 'x', now())", [other]);
    });
  });
});

describe("the adoption plan on a schema that is not the sample", () => {
  beforeAll(async () => {
    await db.owner.query(`
      create schema shop;
      create table shop.regions (code text primary key, name text not null);
      create table shop.stores (id int primary key, region text references shop.regions, parent_id int references shop.stores);
      create table shop.stock (store_id int references shop.stores, sku text, qty int, primary key (store_id, sku));
      create table shop.events (at timestamptz, store_id int, kind text);
      create table shop.sales (id bigint, sold_on date not null, store_id int references shop.stores, amount numeric, primary key (id, sold_on)) partition by range (sold_on);
      create table shop.sales_2024 partition of shop.sales for values from ('2024-01-01') to ('2025-01-01');
      create function shop.touch() returns trigger language plpgsql as $$ begin return new; end $$;
      create trigger stock_touch before update on shop.stock for each row execute function shop.touch();
      create view shop.store_stock as select s.id, sum(k.qty) as qty from shop.stores s join shop.stock k on k.store_id = s.id group by s.id;
      insert into shop.regions values ('N', 'North');
      insert into shop.stores values (1, 'N', null), (2, 'N', 1);
      insert into shop.stock values (1, 'A', 5), (2, 'A', 7);
      insert into shop.sales values (1, '2024-05-01', 1, 10);`);
  });

  it("handles a composite key, no key, a self-reference, a view, a partitioned table and a trigger", async () => {
    const tables = await read("shop");
    expect(tables.map((t) => t.name).sort()).toEqual(["events", "regions", "sales", "sales_2024", "stock", "stores"]);
    expect(tables.find((t) => t.name === "stock")!.views).toEqual(["store_stock"]);
    expect(tables.find((t) => t.name === "stock")!.triggers).toEqual(["stock_touch"]);
    const plan = planAdoption("shop", tables, { globalTables: ["regions"] });
    expect(plan.problems).toEqual([]);
    expect(plan.tables.map((t) => t.table).sort()).toEqual(["events", "regions", "sales", "stock", "stores"]);
    await tryPlan(plan, async (query) => {
      const [view] = await query("select reloptions from pg_class where oid = 'shop.store_stock'::regclass");
      expect(view.reloptions).toEqual(["security_invoker=true"]);
      const [sale] = await query("select tenant_id from shop.sales_2024");
      expect(sale).toEqual({ tenant_id: "LEGACY001" });
      const [self] = await query("select count(*)::int as n from pg_constraint where conrelid = 'shop.stores'::regclass and contype = 'f' and array_length(conkey, 1) = 2");
      expect(self).toEqual({ n: 1 }); // the self-reference; the region key stays single (regions is global)
    });
  });

  it("names what it cannot handle before anything runs", async () => {
    const tables = await read("shop");
    const withConflict = tables.map((t) => (t.name === "events" ? { ...t, columns: [...t.columns, "tenant_id"] } : t));
    expect(planAdoption("shop", withConflict, { globalTables: ["regions"] }).problems).toEqual([
      "shop.events already has a column named tenant_id; rename it or choose another column name.",
    ]);
    const problems = planAdoption("shop", tables, { globalTables: ["stores"] }).problems;
    expect(problems.some((p) => p.startsWith("shop.stores is global but its foreign key"))).toBe(true);
  });
});
