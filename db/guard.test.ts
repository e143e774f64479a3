import { beforeAll, describe, expect, it } from "vitest";
import { checkIsolation, describeFailures } from "./guard";
import { useTestDatabase } from "./test/fixture";

const db = useTestDatabase();

describe("start-up guard", () => {
  beforeAll(async () => {
    // A data-plane table scoped by hand, as adoption would leave it.
    await db.owner.query(`
      create schema app;
      create table app.orders (tenant_id text not null, id int, primary key (tenant_id, id));
      alter table app.orders enable row level security;
      alter table app.orders force row level security;
      create policy orders_tenant on app.orders
        using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')))
        with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')));`);
  });

  it("passes on a migrated database, as the app's login role", async () => {
    const report = await checkIsolation(db.app);
    expect(describeFailures(report)).toBe("");
    expect(report.ok).toBe(true);
    const names = report.checks.map((c) => c.name);
    for (const table of ["control.customers", "control.memberships", "control.audit_events", "app.orders"]) {
      expect(names).toContain(`${table} is tenant-isolated`);
    }
  });

  it("refuses a superuser login", async () => {
    const report = await checkIsolation(db.owner);
    expect(report.ok).toBe(false);
    expect(describeFailures(report)).toMatch(/superuser/);
  });

  it("names a table whose RLS is no longer forced", async () => {
    await db.owner.query("alter table control.memberships no force row level security");
    try {
      const report = await checkIsolation(db.app);
      expect(report.ok).toBe(false);
      expect(describeFailures(report)).toBe("  - control.memberships is tenant-isolated: control.memberships: RLS not forced");
    } finally {
      await db.owner.query("alter table control.memberships force row level security");
    }
  });

  it("names a table whose policy is missing or weakened, or that has no RLS at all", async () => {
    await db.owner.query(`
      drop policy orders_tenant on app.orders;
      create policy orders_tenant on app.orders using (true);
      create table app.loose (tenant_id text);`);
    const failures = describeFailures(await checkIsolation(db.app));
    expect(failures).toContain("app.orders: no tenant policy on tenant_id");
    expect(failures).toContain("app.loose: RLS not enabled, RLS not forced, no tenant policy on tenant_id");
  });
});
