import { expect, test } from "@playwright/test";
import {
  CUSTOMER_ADMIN,
  CUSTOMER_MEMBER,
  DEMO_PASSWORD,
  enterCode,
  SUPER_ADMIN,
  signIn,
} from "./helpers";

const ROLES = [
  { email: SUPER_ADMIN, role: "super-admin", lands: /\/$/, heading: "Overview" },
  { email: CUSTOMER_ADMIN, role: "admin", lands: /\/home$/, heading: "Northwind Motors" },
  { email: CUSTOMER_MEMBER, role: "member", lands: /\/home$/, heading: "Northwind Motors" },
];

for (const { email, role, lands, heading } of ROLES) {
  test(`a ${role} signs in, lands on their home, and signs out`, async ({ page }) => {
    await signIn(page, email, DEMO_PASSWORD, { fresh: true });
    await expect(page).toHaveURL(lands);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    await expect(page.getByTestId("signed-in-as")).toContainText(role);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in/);
  });
}

test("a signed-out visitor is sent to sign-in and back to the page they asked for", async ({
  page,
}) => {
  await page.goto("/system");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fsystem/);
  await page.getByLabel("Email").fill(SUPER_ADMIN);
  await page.getByLabel("Password").fill("tenantry-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await enterCode(page, SUPER_ADMIN, "Code from your authenticator app");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/system$/);
  await expect(page.getByText("All isolation checks pass")).toBeVisible();
});

test("the session expires: its cookie lasts eight hours and is httpOnly", async ({
  page,
  context,
}) => {
  // A customer admin's: a super-admin's sign-in would spend a two-factor code on it.
  await signIn(page, CUSTOMER_ADMIN);
  const session = (await context.cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
  expect(session, "session cookie").toBeDefined();
  expect(session!.httpOnly).toBe(true);
  expect(session!.sameSite).toBe("Lax");
  const hours = (session!.expires * 1000 - Date.now()) / 3_600_000;
  expect(hours).toBeGreaterThan(7.9);
  expect(hours).toBeLessThanOrEqual(8);
});
