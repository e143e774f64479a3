import { expect, test } from "@playwright/test";
import { generateCustomerId } from "../../lib/customers/ids";
import { SUPER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

test.beforeAll(async () => {
  const names = Array.from(
    { length: 30 },
    (_, i) => `Paging Test ${String(i + 1).padStart(2, "0")}`,
  );
  const ids = names.map(() => generateCustomerId());
  await ownerQuery(
    "insert into control.customers (id, name, contact_email, status) select unnest($1::text[]), unnest($2::text[]), 'x@paging.example', 'active'",
    [ids, names],
  );
});

test("sorting and paging the customer list change the URL and survive a reload", async ({
  page,
}) => {
  await signIn(page, SUPER_ADMIN);
  await page.goto("/customers?q=paging+test&size=10");
  const firstName = () =>
    page.getByRole("table", { name: "Customers" }).getByRole("row").nth(1).getByRole("link");

  await page.getByRole("link", { name: "Name" }).click();
  await expect(page).toHaveURL(/sort=name/);
  await expect(page).toHaveURL(/dir=asc/);
  await expect(firstName()).toHaveText("Paging Test 01");
  await expect(page.getByRole("columnheader", { name: /Name/ })).toHaveAttribute(
    "aria-sort",
    "ascending",
  );

  await page.getByRole("link", { name: "Name" }).click();
  await expect(page).toHaveURL(/dir=desc/);
  await expect(firstName()).toHaveText("Paging Test 30");

  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(firstName()).toHaveText("Paging Test 20");
  await expect(page.getByText("11–20 of 30")).toBeVisible();
  await expect(page.getByText("Page 2 of 3")).toBeVisible();

  await page.reload();
  await expect(firstName()).toHaveText("Paging Test 20");
  await expect(page.getByText("11–20 of 30")).toBeVisible();
  await expect(page.getByLabel("Search name or ID")).toHaveValue("paging test");

  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page.getByText("21–30 of 30")).toBeVisible();
  await expect(page.getByRole("link", { name: "Next page" })).toHaveCount(0);
  await page.getByRole("link", { name: "Previous page" }).click();
  await expect(firstName()).toHaveText("Paging Test 20");
  await page.getByRole("link", { name: "Previous page" }).click();
  await expect(firstName()).toHaveText("Paging Test 30");
  await expect(page).not.toHaveURL(/cursor=/);

  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page.getByText("11–20 of 30")).toBeVisible();
  await page.getByLabel("Rows per page").selectOption("25");
  await expect(page).toHaveURL(/size=25/);
  await expect(page).not.toHaveURL(/cursor=/);
  await expect(page.getByText("1–25 of 30")).toBeVisible();
});
