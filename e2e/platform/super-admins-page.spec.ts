// Who holds platform power: a super-admin sees every super-admin with their second factor; a
// customer's admin gets a 404 and no link.
import { expect, test } from "@playwright/test";
import { CUSTOMER_ADMIN, SUPER_ADMIN, signIn } from "../auth/helpers";

test("a super-admin lists the super-admins, with their second factor", async ({ page }) => {
  await signIn(page, SUPER_ADMIN);
  await page.getByRole("navigation").getByRole("link", { name: "Super-admins" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Super-admins" })).toBeVisible();
  const row = page
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name: SUPER_ADMIN, exact: true }) });
  await expect(row).toContainText("active");
  await expect(row).toContainText("on since");
  await expect(page.getByRole("cell", { name: CUSTOMER_ADMIN })).toHaveCount(0);
});

test("a customer's admin gets a 404 from the super-admins page", async ({ page }) => {
  await signIn(page, CUSTOMER_ADMIN);
  const response = await page.goto("/super-admins");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("link", { name: "Super-admins" })).toHaveCount(0);
});
