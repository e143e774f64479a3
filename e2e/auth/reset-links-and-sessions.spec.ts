// Password reset and sessions (issue #18): a customer admin's reset link sets a new password once
// and signs out the old session in another browser; a session ended from the account page signs
// its browser out at its next request though its JWT has hours left; suspending a user ends their
// sessions; and another customer's user is a 404 (audited as denied) to a customer admin.
import { expect, test, type Browser } from "@playwright/test";
import { ownerQuery } from "../db";
import { CUSTOMER_ADMIN, DEMO_PASSWORD, signIn } from "./helpers";

/** A Northwind member with the demo password, made for one spec. */
async function member(email: string): Promise<string> {
  const [user] = await ownerQuery<{ id: string }>(
    `insert into control.users (email, display_name, password_hash)
       select $1, 'Spec User', password_hash from control.users where email = $2 returning id`,
    [email, CUSTOMER_ADMIN],
  );
  await ownerQuery(
    `insert into control.memberships (tenant_id, user_id, role)
       select tenant_id, $1, 'member' from control.memberships m join control.users u on u.id = m.user_id where u.email = $2`,
    [user.id, CUSTOMER_ADMIN],
  );
  return user.id;
}

async function browserOf(browser: Browser, email: string, password = DEMO_PASSWORD) {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email, password);
  return page;
}

/** The session cookie's JWT still has hours left. */
async function jwtHoursLeft(page: import("@playwright/test").Page): Promise<number> {
  const cookie = (await page.context().cookies()).find((c) => c.name.endsWith("session-token"));
  return cookie ? (cookie.expires * 1000 - Date.now()) / 3_600_000 : 0;
}

test("a reset link sets a new password once, and the old session in another browser ends", async ({
  browser,
}) => {
  const userId = await member("reset-me@northwind.example");
  const old = await browserOf(browser, "reset-me@northwind.example");

  const admin = await browserOf(browser, CUSTOMER_ADMIN);
  await admin.goto("/users");
  await admin.getByRole("link", { name: "Spec User" }).click();
  await expect(admin).toHaveURL(`/users/${userId}`);
  await expect(admin.getByRole("region", { name: "Sessions" })).toContainText("open");
  await admin.getByRole("button", { name: "Reset link for reset-me@northwind.example" }).click();
  const link = await admin.getByLabel("The reset link for reset-me@northwind.example").inputValue();
  expect(link).toMatch(/\/reset\/[A-Za-z0-9_-]{43}$/);

  const holder = await (await browser.newContext()).newPage();
  await holder.goto(link);
  await holder.getByLabel("New password (at least 12 characters)").fill("qwertyuiop123");
  await holder.getByLabel("Repeat the new password").fill("qwertyuiop123");
  await holder.getByRole("button", { name: "Set my new password" }).click();
  await expect(holder.getByText(/list of common passwords/)).toBeVisible();
  const fresh = "a new password of my own";
  await holder.getByLabel("New password (at least 12 characters)").fill(fresh);
  await holder.getByLabel("Repeat the new password").fill(fresh);
  await holder.getByRole("button", { name: "Set my new password" }).click();
  await expect(holder).toHaveURL(/\/sign-in\?reset=/);
  await expect(holder.getByText("Your password is changed")).toBeVisible();
  await signIn(holder, "reset-me@northwind.example", fresh);

  // The other browser's JWT has hours left; its session does not.
  expect(await jwtHoursLeft(old)).toBeGreaterThan(7);
  await old.goto("/home");
  await expect(old).toHaveURL(/\/sign-in/);

  // The link works once.
  await holder.goto(link);
  await expect(holder.getByText("This reset link is not valid")).toBeVisible();
  const [event] = await ownerQuery<{ details: { sessionsEnded: number } }>(
    "select details from control.audit_events where action = 'passwords.reset' and target_id = $1",
    [userId],
  );
  expect(event.details.sessionsEnded).toBeGreaterThanOrEqual(1);
});

test("an ended session and a suspended user are signed out at their next request", async ({
  browser,
}) => {
  const userId = await member("sessions@northwind.example");
  const first = await browserOf(browser, "sessions@northwind.example");
  const second = await browserOf(browser, "sessions@northwind.example");

  await first.goto("/account");
  const sessions = first.getByRole("region", { name: "Your sessions" });
  await expect(sessions.getByText("this browser")).toBeVisible();
  await sessions.getByRole("button", { name: /^End Chrome on Linux session/ }).click();
  await expect(sessions.getByText(/ended: ended by the user/)).toBeVisible();
  expect(await jwtHoursLeft(second)).toBeGreaterThan(7);
  await second.goto("/home");
  await expect(second).toHaveURL(/\/sign-in/);

  // The admin suspends the user: the first browser goes too.
  const admin = await browserOf(browser, CUSTOMER_ADMIN);
  await admin.goto(`/users/${userId}`);
  await admin.getByRole("button", { name: "Suspend sessions@northwind.example" }).click();
  await expect(admin.getByRole("status")).toContainText("is suspended; their sessions have ended");
  await first.goto("/home");
  await expect(first).toHaveURL(/\/sign-in/);
  const open = await ownerQuery(
    "select 1 from control.sessions where user_id = $1 and ended_at is null",
    [userId],
  );
  expect(open).toEqual([]);
});

test("a customer admin gets a 404 for another customer's user, audited as denied", async ({
  browser,
}) => {
  const [foreign] = await ownerQuery<{ id: string }>(
    "select id from control.users where email = 'admin@bluebird.example'",
  );
  const admin = await browserOf(browser, CUSTOMER_ADMIN);
  const response = await admin.goto(`/users/${foreign.id}`);
  expect(response?.status()).toBe(404);
  await expect(admin.getByText("admin@bluebird.example")).toHaveCount(0);
  const events = await ownerQuery<{ outcome: string; details: { reason: string } }>(
    `select e.outcome, e.details from control.audit_events e
       join control.customers c on c.id = e.tenant_id
      where e.action = 'users.view' and e.target_id = $1 and c.name = 'Northwind Motors'`,
    [foreign.id],
  );
  expect(events).toEqual([{ outcome: "denied", details: { reason: "not found" } }]);
});
