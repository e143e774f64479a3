import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "tenantry-demo";
export const SUPER_ADMIN = "admin@tenantry.local";
export const CUSTOMER_ADMIN = "admin@northwind.example";
export const CUSTOMER_MEMBER = "member@northwind.example";

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(email);
}
