// The migration dashboard is the platform's: a customer's admin or member gets a 404 for it —
// no redirect, no link, nothing that says it exists.
import { expect, test } from "@playwright/test";
import { CUSTOMER_ADMIN, CUSTOMER_MEMBER, signIn } from "../auth/helpers";

for (const email of [CUSTOMER_ADMIN, CUSTOMER_MEMBER]) {
  test(`${email} gets a 404 for the migration dashboard`, async ({ page }) => {
    await signIn(page, email);
    await expect(page.getByRole("link", { name: "Migrations" })).toHaveCount(0);
    for (const path of ["/migrations", "/migrations?schema=app"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      await expect(page.getByTestId("coverage")).toHaveCount(0);
      await expect(page.getByRole("button", { name: "Run adoption" })).toHaveCount(0);
    }
  });
}
