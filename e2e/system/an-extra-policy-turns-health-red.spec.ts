// Policies are OR'ed: one more `USING (true)` beside the tenant policy opens a table to every
// customer. The guard must refuse it on a control table and on an adopted data-plane table under
// the column name its adoption used, answer 503 publicly and name it to super-admins only.
import { expect, test, type Page } from "@playwright/test";
import { ownerQuery } from "../db";
import { SUPER_ADMIN, signIn } from "../auth/helpers";

async function expectRefusedAndNamed(
  page: Page,
  request: import("@playwright/test").APIRequestContext,
  table: string,
  policy: string,
) {
  const health = await request.get("/api/health");
  expect(health.status()).toBe(503);
  expect(await health.json()).toEqual({ status: "refused" });
  await page.goto("/system");
  await expect(page.getByText("Isolation checks failing")).toBeVisible();
  await expect(
    page.getByRole("row", {
      name: new RegExp(`${table.replace(".", "\\.")} is tenant-isolated fail .*${policy}`),
    }),
  ).toBeVisible();
}

test("an extra USING (true) policy on a tenant table turns health to 503 and is named on the System page", async ({
  page,
  request,
}) => {
  await signIn(page, SUPER_ADMIN);
  await ownerQuery("create policy invites_open on control.invites using (true)");
  try {
    await expectRefusedAndNamed(
      page,
      request,
      "control.invites",
      "invites_open \\(permissive, all, using true\\)",
    );
  } finally {
    await ownerQuery("drop policy invites_open on control.invites");
  }
  expect((await request.get("/api/health")).status()).toBe(200);
});

test("an extra policy on a table adopted under a custom column turns health to 503 and is named", async ({
  page,
  request,
}) => {
  await signIn(page, SUPER_ADMIN);
  await ownerQuery(`
    create schema shop;
    create table shop.carts (store text not null default 'LEGACY001', id int, primary key (store, id));
    alter table shop.carts enable row level security;
    alter table shop.carts force row level security;
    create policy carts_tenant on shop.carts
      using (store = (select nullif(current_setting('app.tenant_id', true), '')))
      with check (store = (select nullif(current_setting('app.tenant_id', true), '')));
    insert into control.adoption_runs (schema_name, kind, status, options) values ('shop', 'adopt', 'succeeded', '{"column": "store"}')`);
  try {
    expect((await request.get("/api/health")).status()).toBe(200);
    await ownerQuery("create policy carts_open on shop.carts using (true)");
    await expectRefusedAndNamed(page, request, "shop.carts", "carts_open");
  } finally {
    await ownerQuery(
      "drop schema shop cascade; delete from control.adoption_runs where schema_name = 'shop'",
    );
  }
  expect((await request.get("/api/health")).status()).toBe(200);
});
