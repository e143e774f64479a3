import { expect, test } from "@playwright/test";
import { CUSTOMER_ADMIN, SUPER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

test("the CSV export of a filtered view has exactly the rows the table shows", async ({ page }) => {
  await signIn(page, SUPER_ADMIN);
  // Make sure the filter has something to find: a few sign-in-era events exist; add views.
  await page.goto("/customers");
  await page.goto("/customers?q=north");
  await page.goto("/audit-log?action=customers.list&size=100");
  const table = page.getByRole("table", { name: "Audit events" });
  const rows = table.getByRole("row");
  const shown = (await rows.count()) - 1; // minus the header row
  expect(shown).toBeGreaterThanOrEqual(2);
  await expect(page.getByText(`1–${shown} of ${shown}`)).toBeVisible();
  const actions = (await table.getByRole("row").locator("td:nth-child(4)").allTextContents()).map(
    (t) => t.trim(),
  );

  const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
  expect(href).toContain("action=customers.list");
  const response = await page.request.get(href!);
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("text/csv");
  const lines = (await response.text()).trim().split("\n");
  expect(lines[0]).toBe(
    "id,at,actor,actor_role,acting_as,customer,action,target_type,target_id,outcome,ip,details",
  );
  // The export itself is audited as audit.export, so it does not add to this filter's rows.
  expect(lines.length - 1).toBe(shown);
  expect(lines.slice(1).map((l) => l.split(",")[6])).toEqual(actions);
  // The export's slot is free by its last byte: the next one, asked for at once, is not refused.
  expect((await page.request.get(href!)).status()).toBe(200);
});

test("a super-admin reading or exporting one customer's events is on that customer's own trail", async ({
  page,
  browser,
}) => {
  const [northwind] = await ownerQuery<{ id: string }>(
    "select id from control.customers where name = 'Northwind Motors'",
  );
  await signIn(page, SUPER_ADMIN);
  await page.goto(`/audit-log?customer=${northwind.id}`);
  expect((await page.request.get(`/api/audit/export?customer=${northwind.id}`)).status()).toBe(200);

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, CUSTOMER_ADMIN);
  await admin.goto("/audit-trail?action=audit.");
  const table = admin.getByRole("table", { name: "Audit events" });
  await expect(
    table.getByRole("row", { name: new RegExp(`${SUPER_ADMIN}.*audit\\.list`) }).first(),
  ).toBeVisible();
  await expect(
    table.getByRole("row", { name: new RegExp(`${SUPER_ADMIN}.*audit\\.export`) }).first(),
  ).toBeVisible();
});
