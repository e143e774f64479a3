import { expect, test } from "@playwright/test";
import { CUSTOMER_ADMIN, CUSTOMER_MEMBER, signIn } from "./helpers";

for (const email of [CUSTOMER_ADMIN, CUSTOMER_MEMBER]) {
  test(`${email} opening a super-admin URL gets a 404, not a redirect`, async ({ page }) => {
    await signIn(page, email);
    const response = await page.goto("/system");
    expect(response?.status()).toBe(404);
    await expect(page).toHaveURL(/\/system$/);
    await expect(page.getByText("All isolation checks pass")).toHaveCount(0);
    // The navigation does not offer it either.
    await expect(page.getByRole("link", { name: "System health" })).toHaveCount(0);
  });
}
