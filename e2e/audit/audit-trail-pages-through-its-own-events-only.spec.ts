import { expect, test } from "@playwright/test";
import { CUSTOMER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

// Northwind (the customer admin's) gets 60 events, Bluebird 30, all under one action prefix, so
// a leak would show on Northwind's pages.
test.beforeAll(async () => {
  await ownerQuery(
    `insert into control.audit_events (tenant_id, action, outcome)
     select c.id, 'paging.' || lower(split_part(c.name, ' ', 1)) || '.' || g, 'ok'
       from control.customers c, generate_series(1, case c.name when 'Northwind Motors' then 60 else 30 end) g
      where c.name in ('Northwind Motors', 'Bluebird Auto Parts')`,
  );
});

test("a customer admin pages through the audit trail, forth and back, and sees only its own events", async ({
  page,
}) => {
  await signIn(page, CUSTOMER_ADMIN);
  await page.goto("/audit-trail?action=paging.&size=25");
  const table = page.getByRole("table", { name: "Audit events" });
  const actions = async () =>
    (await table.getByRole("row").locator("td:nth-child(3)").allTextContents()).map((t) =>
      t.trim(),
    );
  await expect(page.getByText("1–25 of 60")).toBeVisible();
  const first = await actions();

  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(page.getByText("26–50 of 60")).toBeVisible();
  const second = await actions();
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page.getByText("51–60 of 60")).toBeVisible();
  await expect(page.getByText("Page 3 of 3")).toBeVisible();
  const third = await actions();

  const seen = [...first, ...second, ...third];
  expect(new Set(seen).size).toBe(60);
  expect(seen.every((a) => a.startsWith("paging.northwind."))).toBe(true);

  await page.getByRole("link", { name: "Previous page" }).click();
  await expect(page.getByText("26–50 of 60")).toBeVisible();
  expect(await actions()).toEqual(second);
  await page.reload();
  expect(await actions()).toEqual(second);
  await page.getByRole("link", { name: "Previous page" }).click();
  await expect(page).not.toHaveURL(/cursor=/);
  expect(await actions()).toEqual(first);

  // A later page whose events are gone (a cursor before them all): the way back is offered.
  const past = Buffer.from(JSON.stringify({ page: 4, towards: "next", at: "1", id: 1 })).toString(
    "base64url",
  );
  await page.goto(`/audit-trail?action=paging.&size=25&cursor=${past}`);
  await expect(page.getByText("No results past here.")).toBeVisible();
  await page.getByRole("link", { name: "First page" }).click();
  await expect(page).not.toHaveURL(/cursor=/);
  await expect(page).toHaveURL(/action=paging\./);
  expect(await actions()).toEqual(first);
});
