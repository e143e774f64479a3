import { expect, test } from "@playwright/test";

async function failedSignIn(page: import("@playwright/test").Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  // Scoped to the form: Next adds a route announcer with role=alert of its own.
  const alert = page.locator("form").getByRole("alert");
  await expect(alert).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
  return alert.textContent();
}

test("a wrong password and an unknown email get the same answer", async ({ page }) => {
  const known = await failedSignIn(page, "admin@bluebird.example");
  const unknown = await failedSignIn(page, "nobody-here@bluebird.example");
  expect(known).toBe("The email or password is not right.");
  expect(unknown).toBe(known);
});
