import { expect, test } from "@playwright/test";
import { CUSTOMER_MEMBER, SUPER_ADMIN, signIn } from "../auth/helpers";

for (const email of [CUSTOMER_MEMBER, SUPER_ADMIN]) {
  test(`${email} gets a 404 from the customer's users page`, async ({ page }) => {
    await signIn(page, email);
    const response = await page.goto("/users");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);
  });
}
