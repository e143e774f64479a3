import { expect, test } from "@playwright/test";
import { SUPER_ADMIN, signIn } from "../auth/helpers";

test("a super-admin creates, finds, edits and suspends a customer, whose admin is then shut out", async ({
  page,
  browser,
}) => {
  await signIn(page, SUPER_ADMIN);
  await page.getByRole("link", { name: "Customers" }).click();
  await page.getByRole("link", { name: "New customer" }).click();

  // Bad input: field messages, nothing created.
  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(page.getByText("Give the customer a name of at least 2 characters.")).toBeVisible();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();

  await page.getByLabel("Name").fill("Delta Diesel");
  await page.getByLabel("Contact email").fill("ops@delta.example");
  await page.getByLabel("Plan").selectOption("team");
  await page.getByLabel("Trial (days; 0 = none)").fill("0");
  await page.getByLabel("Invite the first admin (optional)").fill("admin@delta.example");
  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(page.getByRole("status")).toContainText("Created Delta Diesel");
  const link = (await page.getByTestId("invite-link").textContent())!.trim();

  // The first admin accepts and signs in.
  const delta = await browser.newContext();
  const admin = await delta.newPage();
  await admin.goto(link);
  await admin.getByLabel("Your name").fill("Dee Admin");
  await admin.getByLabel("Password", { exact: true }).fill("delta-admin-password");
  await admin.getByLabel("Repeat the password").fill("delta-admin-password");
  await admin.getByRole("button", { name: "Create my account" }).click();
  await expect(admin).toHaveURL(/\/sign-in\?invited=/);
  await admin.getByLabel("Password").fill("delta-admin-password");
  await admin.getByRole("button", { name: "Sign in" }).click();
  await expect(admin.getByTestId("signed-in-as")).toContainText("admin@delta.example · admin");

  // Found by name prefix in the table, then by its ID.
  await page.goto("/customers");
  await page.getByLabel("Search name or ID").fill("delta d");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=delta\+d/);
  await page.getByRole("link", { name: "Delta Diesel" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Delta Diesel" })).toBeVisible();
  const id = page.url().split("/").pop()!;
  await page.goto(`/customers?q=${id.slice(0, 3)}-${id.slice(3, 6)}-${id.slice(6).toLowerCase()}`);
  await expect(page.getByRole("link", { name: "Delta Diesel" })).toBeVisible();
  await page.goto(`/customers/${id}`);

  // Two editors: the second, working from the older page, is refused rather than overwriting.
  const stale = await browser.newPage({ storageState: await page.context().storageState() });
  await stale.goto(`/customers/${id}`);
  const profile = page.getByRole("form", { name: "Profile" });
  await profile.getByLabel("Name").fill("Delta Diesel & Sons");
  await profile.getByRole("button", { name: "Save profile" }).click();
  await expect(profile.getByRole("status")).toHaveText("Saved.");
  const staleProfile = stale.getByRole("form", { name: "Profile" });
  await staleProfile.getByLabel("Contact email").fill("other@delta.example");
  await staleProfile.getByRole("button", { name: "Save profile" }).click();
  await expect(staleProfile.getByRole("alert")).toContainText("changed by someone else");
  await stale.close();

  // Suspending needs a reason.
  await page.reload();
  const suspend = page.getByRole("form", { name: "Suspend" });
  await suspend.getByRole("button", { name: "Suspend" }).click();
  await expect(suspend.getByRole("alert")).toContainText("needs a reason");
  await suspend.getByLabel(/Reason/).fill("Unpaid invoices, ticket OPS-42");
  await suspend.getByRole("button", { name: "Suspend" }).click();
  // The page re-renders with the new status: only Reactivate is offered now.
  await expect(page.getByRole("form", { name: "Reactivate" })).toBeVisible();
  await expect(page.getByRole("form", { name: "Suspend" })).toHaveCount(0);
  await page.reload();
  await expect(page.getByText("suspended", { exact: true })).toBeVisible();
  await expect(page.getByRole("region", { name: "History" })).toContainText(
    "Reason: Unpaid invoices, ticket OPS-42",
  );
  await expect(page.getByRole("region", { name: "History" })).toContainText(
    '{"name":"Delta Diesel"} → {"name":"Delta Diesel & Sons"}',
  );

  // The admin's live session ends at the next request, and signing in again is refused.
  await admin.goto("/home");
  await expect(admin).toHaveURL(/\/sign-in/);
  await admin.getByLabel("Email").fill("admin@delta.example");
  await admin.getByLabel("Password").fill("delta-admin-password");
  await admin.getByRole("button", { name: "Sign in" }).click();
  await expect(admin.locator("form").getByRole("alert")).toContainText(
    "access to the console is suspended",
  );
  await delta.close();
});

test("a malformed or unknown customer ID in the URL answers 404", async ({ page }) => {
  await signIn(page, SUPER_ADMIN);
  for (const id of ["not-an-id", "ABCDEFGH0", "ABCDEFGHJ", "abc-def-ghj"]) {
    const response = await page.goto(`/customers/${id}`);
    expect(response?.status(), id).toBe(404);
  }
});
