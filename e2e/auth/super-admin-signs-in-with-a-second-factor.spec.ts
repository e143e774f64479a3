// Two-factor sign-in (issue #18): a super-admin without a second factor is sent to set one up from
// every page; after enrolling (the test computes codes from the secret the page shows), sign-in
// asks for a code; a wrong code is refused and throttled; a recovery code works once; new
// recovery codes replace the old; and a write switch needs a fresh code.
import { expect, test, type Page } from "@playwright/test";
import { ownerQuery } from "../db";
import { DEMO_PASSWORD, enrol, enterCode, SUPER_ADMIN } from "./helpers";

const EMAIL = "fresh-admin@tenantry.local";
const CODE = "Code from your authenticator app";

async function submitPassword(page: Page) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

test("a super-admin enrols before anything else, then signs in with codes", async ({ page }) => {
  test.setTimeout(120_000);
  await ownerQuery(
    `insert into control.users (email, display_name, password_hash, platform_role)
       select $1, 'Fresh Admin', password_hash, 'super_admin' from control.users where email = $2`,
    [EMAIL, SUPER_ADMIN],
  );

  // The password alone signs in to one page: setting up the second factor.
  await submitPassword(page);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("main").getByRole("alert")).toContainText(
    "Super-admins sign in with a second factor",
  );
  for (const path of [
    "/",
    "/customers",
    "/system",
    "/audit-log",
    "/databases",
    "/home",
    "/usage",
  ]) {
    await page.goto(path);
    await expect(page, path).toHaveURL(/\/account$/);
  }
  const nav = page.getByRole("navigation");
  await expect(nav.getByRole("link")).toHaveText(["Account"]);
  // A route handler answers nothing either.
  expect((await page.request.get("/api/audit/export")).status()).toBe(404);

  const recovery = await enrol(page, EMAIL);
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  const [event] = await ownerQuery<{ outcome: string }>(
    "select outcome from control.audit_events where action = 'two-factor.enrol' and actor_email = $1",
    [EMAIL],
  );
  expect(event.outcome).toBe("ok");

  // A write switch asks for a fresh code: refused without one.
  const [northwind] = await ownerQuery<{ id: string }>(
    "select id from control.customers where name = 'Northwind Motors'",
  );
  await page.goto(`/customers/${northwind.id}`);
  const form = page.getByRole("form", { name: "Switch into this customer" });
  await form.getByLabel(/Reason/).fill("Ticket OPS-77: checking step-up");
  await form.getByLabel("Read and write").check();
  await form.getByRole("button", { name: "Switch into Northwind Motors" }).click();
  await expect(form.getByRole("alert")).toContainText("Enter the current code");
  expect(
    await ownerQuery(
      "select 1 from control.switches s join control.users u on u.id = s.super_admin_id where u.email = $1",
      [EMAIL],
    ),
  ).toEqual([]);
  await enterCode(page, EMAIL, new RegExp(CODE));
  await form.getByRole("button", { name: "Switch into Northwind Motors" }).click();
  await expect(page.getByRole("region", { name: "Switched into a customer" })).toContainText(
    "read and write",
  );
  await page.getByRole("button", { name: "Exit" }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await signOut(page);

  // Sign-in now asks for a code after the password; a wrong one is refused.
  await submitPassword(page);
  await page.getByLabel(CODE).fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("The code is not right");
  await enterCode(page, EMAIL, CODE);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await signOut(page);

  // A recovery code works once.
  await submitPassword(page);
  await page.getByLabel(CODE).fill(recovery[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await page.goto("/account");
  await expect(page.getByText("9 of 10 recovery codes left")).toBeVisible();

  // New recovery codes, for a fresh code: ten again, shown once, and the old ones stop working.
  await enterCode(page, EMAIL, "Six-digit code, for new recovery codes");
  await page.getByRole("button", { name: "Make new recovery codes" }).click();
  const renewed = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(renewed).toHaveCount(10);
  expect(await renewed.allTextContents()).not.toContain(recovery[1]);
  await page.goto("/account");
  await expect(page.getByText("10 of 10 recovery codes left")).toBeVisible();
  await signOut(page);
  await submitPassword(page);
  await page.getByLabel(CODE).fill(recovery[1]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("The code is not right");

  // Wrong codes count like wrong passwords: after five in the window, the throttle answers
  // before any code is looked at.
  for (const wrong of ["111111", "222222", "333333"]) {
    await page.getByLabel(CODE).fill(wrong);
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toContainText("The code is not right");
  }
  await page.getByLabel(CODE).fill("444444");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("Too many failed sign-ins");
  const failed = await ownerQuery<{ n: number }>(
    "select count(*)::int as n from control.audit_events where action = 'two-factor.verify' and outcome = 'failed' and actor_email = $1",
    [EMAIL],
  );
  expect(failed[0].n).toBe(5);
});
