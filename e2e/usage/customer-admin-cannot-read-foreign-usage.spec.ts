// Northwind's admin sees Northwind's figures; no URL or parameter shows Bluebird's. The
// super-admin's overview lists both.
import { expect, test } from "@playwright/test";
import { CUSTOMER_ADMIN, SUPER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

test("a customer admin sees their own usage and never another customer's", async ({
  page,
  browser,
}) => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, SUPER_ADMIN);
  await admin.getByRole("button", { name: "Refresh figures" }).click();
  await expect(admin.getByRole("status")).toContainText("Snapshot taken");
  const active = admin.getByRole("region", { name: "Most active customers" });
  await expect(active.getByRole("link", { name: "Northwind Motors" })).toBeVisible();
  await expect(active.getByRole("link", { name: "Bluebird Auto Parts" })).toBeVisible();

  const [northwind] = await ownerQuery<{ id: string; users: number }>(
    "select c.id, (select count(*)::int from control.memberships m where m.tenant_id = c.id) as users from control.customers c where c.name = 'Northwind Motors'",
  );
  const [bluebird] = await ownerQuery<{ id: string; users: number }>(
    "select c.id, (select count(*)::int from control.memberships m where m.tenant_id = c.id) as users from control.customers c where c.name = 'Bluebird Auto Parts'",
  );
  expect(northwind.users).not.toBe(bluebird.users);

  await signIn(page, CUSTOMER_ADMIN);
  await page.getByRole("link", { name: "Usage" }).click();
  await expect(page.getByTestId("figure-Console users")).toHaveText(String(northwind.users));
  await expect(page.getByTestId("figure-Data-plane rows")).toHaveText("not yet scoped");
  await expect(page.getByRole("meter", { name: "Console users" })).toBeVisible();
  // A trend's figures as a table, rendered when asked for; today's is the snapshot's.
  const trend = page.getByRole("figure", { name: "Console users, last 30 days" });
  await expect(trend.getByRole("table")).toHaveCount(0);
  await trend.getByText("Show as a table").click();
  const today = new Date().toISOString().slice(0, 10);
  await expect(trend.getByRole("row", { name: `${today} ${northwind.users}` })).toBeVisible();

  // Every way of naming Bluebird in the URL still shows Northwind's figures, or a 404.
  for (const path of [
    `/usage?tenant=${bluebird.id}`,
    `/usage?customer=${bluebird.id}&tenant_id=${bluebird.id}`,
    `/usage/${bluebird.id}`,
    `/customers/${bluebird.id}`,
  ]) {
    const response = await page.goto(path);
    if (response?.status() === 404) continue;
    expect(response?.status(), path).toBe(200);
    await expect(page.getByTestId("figure-Console users"), path).toHaveText(
      String(northwind.users),
    );
    await expect(page.getByText("Bluebird")).toHaveCount(0);
  }
});
