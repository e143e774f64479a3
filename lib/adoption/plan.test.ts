import { beforeAll, describe, expect, it } from "vitest";
import { generateSample } from "@/db/sample/generate";
import { withSystem } from "@/db/tenant";
import { freshTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { introspect } from "./introspect";
import { planAdoption, type AdoptionPlan, type PlanOptions } from "./plan";
import { runAdoption, runRevert } from "./run";

const db = freshTestDatabase();
const read = (schema: string) =>
  withSystem("adoption", (tx) => introspect(tx, schema), { readOnly: true });

/**
 * Runs the plan for real (its phases commit one by one), checks with `inspect` inside a
 * transaction that is rolled back, and reverts the adoption.
 */
async function tryPlan(
  plan: AdoptionPlan,
  options: PlanOptions,
  inspect: (
    query: (text: string, values?: unknown[]) => Promise<Record<string, unknown>[]>,
  ) => Promise<void>,
) {
  const adopted = await runAdoption(db.database.ownerUrl, { schema: plan.schema, ...options });
  if (!adopted.ok) throw new Error(adopted.instructions);
  const client = await db.owner.connect();
  try {
    await client.query("begin");
    await inspect(async (text, values) => (await client.query(text, values)).rows);
  } finally {
    await client.query("rollback");
    client.release();
  }
  const reverted = await runRevert(db.database.ownerUrl, { schema: plan.schema });
  if (!reverted.ok) throw new Error(reverted.instructions);
}

describe("the adoption plan on the sample", () => {
  beforeAll(() => generateSample(db.database.ownerUrl, { rows: 20_000 }), 60_000);

  it("reads all 32 tables with their keys, plans them without problems, and its SQL runs", async () => {
    const tables = await read("app");
    expect(tables).toHaveLength(32);
    const workOrders = tables.find((t) => t.name === "work_orders")!;
    expect(workOrders.primaryKey?.columns).toEqual(["id"]);
    expect(workOrders.uniques.map((u) => u.columns)).toEqual([["number"]]);
    expect(workOrders.foreignKeys.map((f) => f.refTable).sort()).toEqual([
      "customer_vehicles",
      "customers",
    ]);

    const plan = planAdoption("app", tables);
    expect(plan.problems).toEqual([]);
    expect(plan.tables.filter((t) => t.scoped)).toHaveLength(32);
    const internalFks = tables.reduce((n, t) => n + t.foreignKeys.length, 0);

    await tryPlan(plan, {}, async (query) => {
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
      const [owners] = await query(
        "select count(distinct tenant_id)::int as n, min(tenant_id) as t from app.work_orders",
      );
      expect(owners).toEqual({ n: 1, t: "LEGACY001" });
      const other = generateCustomerId();
      await query("savepoint probe");
      await expect(
        query(
          "insert into app.work_orders (tenant_id, id, number, customer_id, status, opened_at) values ($1, 999999, 'X-1', 1, 'open', now())",
          [other],
        ),
      ).rejects.toThrow(/foreign key/);
      await query("rollback to savepoint probe");
      // users.email is unique per customer, not globally.
      await query(
        "insert into app.users (tenant_id, id, email, name, role, password_hash, created_at) values ($1, 999999, 'user1@shop.example', 'x', 'cashier', 'x', now())",
        [other],
      );
    });
  });

  it("keeps a unique key global when asked: users.email stays unique across customers", async () => {
    const options = { globalUniques: ["users_email_key"] };
    const plan = planAdoption("app", await read("app"), options);
    expect(plan.problems).toEqual([]);
    expect(plan.tables.find((t) => t.table === "users")!.changes).toContain(
      "unique users_email_key (email) kept across all customers, as chosen",
    );
    await tryPlan(plan, options, async (query) => {
      await expect(
        query(
          "insert into app.users (tenant_id, id, email, name, role, password_hash, created_at) values ($1, 999999, 'user1@shop.example', 'x', 'cashier', 'x', now())",
          [generateCustomerId()],
        ),
      ).rejects.toThrow(/users_email_key/);
    });
  });
});
