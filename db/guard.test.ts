import { beforeAll, describe, expect, it } from "vitest";
import { checkIsolation, describeFailures, sharedIsolationReport } from "./guard";
import { freshTestDatabase } from "./test/fixture";

const db = freshTestDatabase();

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
    for (const table of [
      "control.customers",
      "control.memberships",
      "control.audit_events",
      "app.orders",
    ]) {
      expect(names).toContain(`${table} is tenant-isolated`);
    }
  });

  it("refuses a superuser login, also when it has set its role to the app's", async () => {
    const report = await checkIsolation(db.owner);
    expect(report.ok).toBe(false);
    expect(describeFailures(report)).toMatch(/superuser/);
    // RESET ROLE would undo the drop: the session user is what counts.
    const client = await db.owner.connect();
    try {
      await client.query("set role tenantry_app");
      const dropped = await checkIsolation(client);
      expect(dropped.checks.find((c) => c.name === "login role is not superuser")?.ok).toBe(true);
      expect(describeFailures(dropped)).toMatch(
        /session user is not and cannot become a superuser: \w+ is a superuser/,
      );
    } finally {
      client.release(true);
    }
  });

  it("refuses a login that can SET ROLE to a superuser", async () => {
    const name = `tenantry_guard_super_${process.pid}`;
    await db.owner.query(`create role ${name} superuser nologin; grant ${name} to tenantry_app`);
    try {
      expect(describeFailures(await checkIsolation(db.app))).toBe(
        `  - session user is not and cannot become a superuser: tenantry_app can SET ROLE to the superuser ${name}`,
      );
    } finally {
      await db.owner.query(`drop role ${name}`);
    }
  });

  it("names a table whose RLS is no longer forced", async () => {
    await db.owner.query("alter table control.memberships no force row level security");
    try {
      const report = await checkIsolation(db.app);
      expect(report.ok).toBe(false);
      expect(describeFailures(report)).toBe(
        "  - control.memberships is tenant-isolated: control.memberships: RLS not forced",
      );
    } finally {
      await db.owner.query("alter table control.memberships force row level security");
    }
  });

  it("refuses an extra permissive policy beside the tenant policy, and names it", async () => {
    await db.owner.query("create policy memberships_open on control.memberships using (true)");
    try {
      const report = await checkIsolation(db.app);
      expect(report.ok).toBe(false);
      expect(describeFailures(report)).toBe(
        "  - control.memberships is tenant-isolated: control.memberships: other policy beside the tenant policy: memberships_open (permissive, all, using true)",
      );
    } finally {
      await db.owner.query("drop policy memberships_open on control.memberships");
    }
    expect((await checkIsolation(db.app)).ok).toBe(true);
  });

  it("refuses a restrictive policy whose expression differs from the tenant policy", async () => {
    await db.owner.query(
      "create policy orders_narrow on app.orders as restrictive for select using (id > 0)",
    );
    try {
      expect(describeFailures(await checkIsolation(db.app))).toContain(
        "orders_narrow (restrictive, select, using (id > 0))",
      );
    } finally {
      await db.owner.query("drop policy orders_narrow on app.orders");
    }
  });

  it("checks the tables of a recorded adoption under the column it used", async () => {
    await db.owner.query(`
      create schema shop;
      create table shop.carts (store text not null, id int, primary key (store, id));
      alter table shop.carts enable row level security;
      alter table shop.carts force row level security;
      create policy carts_tenant on shop.carts
        using (store = (select nullif(current_setting('app.tenant_id', true), '')))
        with check (store = (select nullif(current_setting('app.tenant_id', true), '')));
      create table shop.lines (store text not null, cart int);
      create table shop.countries (code text primary key);
      insert into control.adoption_runs (schema_name, kind, status, options)
        values ('shop', 'adopt', 'succeeded', '{"column": "store"}');`);
    try {
      const report = await checkIsolation(db.app);
      expect(report.checks.find((c) => c.name === "shop.carts is tenant-isolated")).toMatchObject({
        ok: true,
        detail: "policy carts_tenant on store",
      });
      // A table of the schema without the column is global reference data, as the plan kept it.
      expect(report.checks.some((c) => c.name.startsWith("shop.countries"))).toBe(false);
      expect(describeFailures(report)).toBe(
        "  - shop.lines is tenant-isolated: shop.lines: RLS not enabled, RLS not forced, no tenant policy on store",
      );

      await db.owner.query("create policy carts_open on shop.carts using (true)");
      expect(describeFailures(await checkIsolation(db.app))).toContain(
        "shop.carts: other policy beside the tenant policy: carts_open",
      );

      // Reverted: the schema is single-tenant again and no longer the guard's business.
      await db.owner
        .query(`insert into control.adoption_runs (schema_name, kind, status, started_at)
                              values ('shop', 'revert', 'succeeded', now() + interval '1 second')`);
      expect((await checkIsolation(db.app)).checks.some((c) => c.name.startsWith("shop."))).toBe(
        false,
      );
    } finally {
      await db.owner.query(
        "drop schema shop cascade; delete from control.adoption_runs where schema_name = 'shop'",
      );
    }
  });

  it("passes a partition the app's roles reach only through its table, and names one they can name", async () => {
    const tenant = "(tenant_id = (select nullif(current_setting('app.tenant_id', true), '')))";
    await db.owner.query(`
      create table app.events (tenant_id text not null, id int, year int, primary key (tenant_id, id, year)) partition by list (year);
      create table app.events_2025 partition of app.events for values in (2025);
      alter table app.events enable row level security;
      alter table app.events force row level security;
      create policy events_tenant on app.events using ${tenant} with check ${tenant};
      grant select on app.events to tenantry_tenant;`);
    try {
      const report = await checkIsolation(db.app);
      expect(describeFailures(report)).toBe("");
      expect(report.checks).toContainEqual({
        name: "app.events_2025 is tenant-isolated",
        ok: true,
        detail: "a partition of app.events, which the app's roles reach only through it",
      });
      // Granted to a role of the app, a statement naming the partition meets no policy.
      await db.owner.query("grant select on app.events_2025 to tenantry_tenant");
      expect(describeFailures(await checkIsolation(db.app))).toBe(
        "  - app.events_2025 is tenant-isolated: app.events_2025: RLS not enabled, RLS not forced, no tenant policy on tenant_id",
      );
    } finally {
      await db.owner.query("drop table app.events");
    }
  });

  it("names a table whose policy is missing or weakened, or that has no RLS at all", async () => {
    await db.owner.query(`
      drop policy orders_tenant on app.orders;
      create policy orders_tenant on app.orders using (true);
      create table app.loose (tenant_id text);`);
    const failures = describeFailures(await checkIsolation(db.app));
    expect(failures).toContain("app.orders: no tenant policy on tenant_id");
    expect(failures).toContain(
      "app.loose: RLS not enabled, RLS not forced, no tenant policy on tenant_id",
    );
  });

  it("runs the health check's checks once for the calls that arrive while they run", async () => {
    const failing = async (report: ReturnType<typeof sharedIsolationReport>) =>
      (await report).checks.filter((c) => !c.ok && c.name.includes("control.invites"));
    const first = sharedIsolationReport();
    expect(sharedIsolationReport()).toBe(first);
    expect(await failing(first)).toEqual([]);
    // Once it ended, the next call runs them again: it sees what changed since.
    await db.owner.query("alter table control.invites no force row level security");
    try {
      const next = sharedIsolationReport();
      expect(next).not.toBe(first);
      expect(await failing(next)).toHaveLength(1);
    } finally {
      await db.owner.query("alter table control.invites force row level security");
    }
  });
});
