// The demo's legacy schema, adopted from the dashboard: it opens on 32 tables not isolated, the
// plan shows its SQL, Run shows the steps as they go and ends all green; Revert brings it back
// (which also leaves the demo as the later specs expect it).
import { expect, test } from "@playwright/test";
import { SUPER_ADMIN, signIn } from "../auth/helpers";
import { holdTableLock, ownerQuery } from "../db";

test("the super-admin adopts the demo's 32 tables from the dashboard, watches the run, ends all green, and reverts", async ({
  page,
}) => {
  await signIn(page, SUPER_ADMIN);
  await page.getByRole("link", { name: "Adoption" }).click();
  await expect(page.getByRole("heading", { name: "Adoption" })).toBeVisible();
  const coverage = page.getByTestId("coverage");
  // Opening the page checks nothing (a GET never writes a run); Verify now does.
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(coverage).toHaveText("0 of 32 tables isolated; 32 not isolated");
  const tables = page.getByRole("table", { name: "Isolation of each table of app" });
  await expect(tables.getByRole("row")).toHaveCount(33);
  await expect(tables.getByRole("row", { name: /^work_order_lines not isolated/ })).toContainText(
    "no tenant_id column",
  );

  // The plan: per table, and its exact SQL.
  await page.getByText("The SQL, step by step").click();
  await expect(page.getByLabel("The plan's SQL")).toContainText(
    'alter table "app"."users" force row level security;',
  );
  await expect(
    page.getByText(
      /32 tables scoped, 0 global; \d+ statements in \d+ steps; the tables are locked only while the catalog changes/,
    ),
  ).toBeVisible();

  // Another session holds one table, so the run waits for it and its progress shows live.
  const lock = await holdTableLock("app.work_order_lines");
  try {
    await page.getByRole("button", { name: "Run adoption" }).click();
    const progress = page.getByRole("region", { name: /^Adoption of app running since/ });
    // Planning reads the catalog, which waits for the held table: the run shows where it is.
    await expect(progress.getByRole("status")).toHaveText("Step: plan");
    await expect(progress.getByRole("listitem")).toHaveText([/^runningplan…$/]);
    await expect(page.getByRole("button", { name: "Verify now" })).toBeDisabled();
  } finally {
    await lock.release();
  }
  await expect(coverage).toHaveText("32 of 32 tables isolated", { timeout: 30_000 });
  await expect(page.getByRole("region", { name: /running since/ })).toHaveCount(0);
  await expect(tables.getByText("not isolated")).toHaveCount(0);
  const lines = tables.getByRole("row", { name: /^work_order_lines isolated/ });
  await expect(lines).toContainText("2 of 2");
  await lines.getByText("1", { exact: true }).click();
  await expect(
    lines.getByRole("list", { name: "Rows per customer in work_order_lines" }),
  ).toHaveText("LEGACY001 10,000");
  await expect(
    page.getByText(/^Probe: as .*, the tenant role sees none of LEGACY001's rows in 32 tables\./),
  ).toBeVisible();

  // The run's steps, each with its time, in the history.
  const runs = page.getByRole("table", { name: /runs, newest first/ });
  const adoption = runs.getByRole("row").nth(1);
  await expect(adoption).toContainText("Adoption");
  await expect(adoption).toContainText("succeeded");
  await adoption.getByText("12 steps").click();
  for (const step of [
    "plan",
    "add column",
    "build indexes concurrently",
    "tenant-scoped keys",
    "composite foreign keys",
    "row-level security",
    "validate foreign keys",
    "verify",
  ]) {
    await expect(
      adoption.getByRole("listitem").filter({ hasText: new RegExp(`^ok${step}\\d+ ms$`) }),
    ).toBeVisible();
  }
  const [{ n }] = await ownerQuery<{ n: number }>(
    "select count(*)::int as n from app.work_orders where tenant_id = 'LEGACY001'",
  );
  expect(n).toBeGreaterThan(0);

  // Revert asks first, then restores the legacy schema.
  await page.getByRole("button", { name: "Revert…" }).click();
  await page
    .getByRole("group", { name: "Confirm the revert" })
    .getByRole("button", { name: "Revert now" })
    .click();
  await expect(coverage).toHaveText("0 of 32 tables isolated; 32 not isolated", {
    timeout: 30_000,
  });
  await expect(runs.getByRole("row").nth(1)).toContainText("Revert");
  const [{ columns }] = await ownerQuery<{ columns: number }>(
    "select count(*)::int as columns from information_schema.columns where table_schema = 'app' and column_name = 'tenant_id'",
  );
  expect(columns).toBe(0);
});

test("a schema half-adopted by hand reads table by table, and its plan names what stops it", async ({
  page,
}) => {
  const policy = "tenant_id = (select nullif(current_setting('app.tenant_id', true), ''))";
  await ownerQuery(`
    create schema byhand;
    create table byhand.orders (tenant_id text not null default (nullif(current_setting('app.tenant_id', true), '')), id int primary key);
    create index on byhand.orders (tenant_id, id);
    alter table byhand.orders enable row level security, force row level security;
    create policy orders_tenant on byhand.orders using (${policy}) with check (${policy});
    create table byhand.notes (tenant_id text, id int primary key);
    alter table byhand.notes enable row level security;
    create table byhand.settings (key text primary key, value text);
    grant usage on schema byhand to tenantry_tenant;
    grant select on all tables in schema byhand to tenantry_tenant;
    insert into byhand.orders values ('LEGACY001', 1);
    insert into byhand.notes values ('LEGACY001', 1), (null, 2);`);
  try {
    await signIn(page, SUPER_ADMIN);
    await page.goto("/adoption");
    await page.getByLabel("Schema").selectOption("byhand");
    await page.getByRole("button", { name: "Show" }).click();
    await page.getByRole("button", { name: "Verify now" }).click();
    await expect(page.getByTestId("coverage")).toHaveText(
      "1 of 3 tables isolated; 1 partly; 1 not isolated",
    );
    const tables = page.getByRole("table", { name: "Isolation of each table of byhand" });
    await expect(tables.getByRole("row", { name: /^orders isolated/ })).toBeVisible();
    const notes = tables.getByRole("row", { name: /^notes partial/ });
    await expect(notes).toContainText("tenant_id allows NULL");
    await expect(notes).toContainText("1 rows belong to no customer");
    await expect(notes).toContainText("row-level security is not forced");
    await expect(tables.getByRole("row", { name: /^settings not isolated/ })).toBeVisible();
    const refusal = page.getByRole("alert", { name: "The plan cannot run" });
    // Tables that have the column are finished, not refused: only the row without a customer stops it.
    await expect(refusal).toHaveText(
      /1 rows of byhand\.notes have no tenant_id: give them a customer/,
    );
    await page.getByText("What changes, table by table").click();
    await expect(
      page.getByText("RLS enabled, forced; its tenant policy orders_tenant kept"),
    ).toBeVisible();
    await expect(page.getByRole("button", { name: "Run adoption" })).toBeDisabled();
  } finally {
    await ownerQuery("drop schema byhand cascade");
  }
});
