// A super-admin switches into Northwind in read mode: sees its users, cannot write, exits.
// Northwind's admin then sees the access with its reason; Bluebird's admin sees nothing of it.
import { expect, test } from "@playwright/test";
import { CUSTOMER_ADMIN, SUPER_ADMIN, signIn } from "../auth/helpers";

const REASON = "Ticket OPS-9: customer asked about a missing invite";

test("a read-only switch shows the customer's data, refuses writes, and is on the customer's record", async ({
  page,
  browser,
}) => {
  await signIn(page, SUPER_ADMIN);
  await page.goto("/customers?q=northwind");
  await page.getByRole("link", { name: "Northwind Motors" }).click();

  const form = page.getByRole("form", { name: "Switch into this customer" });
  await form.getByRole("button", { name: "Switch into Northwind Motors" }).click();
  await expect(form.getByText("Say why, in at least 10 characters")).toBeVisible();
  await form.getByLabel(/Reason/).fill(REASON);
  await form.getByRole("button", { name: "Switch into Northwind Motors" }).click();

  const banner = page.getByRole("region", { name: "Switched into a customer" });
  await expect(banner).toContainText("Switched into Northwind Motors");
  await expect(banner).toContainText("read only");
  await expect(banner).toContainText(/\d+:\d\d left/);
  await expect(page).toHaveURL(/\/home$/);
  await expect(page.getByRole("heading", { level: 1, name: "Northwind Motors" })).toBeVisible();

  await page.getByRole("link", { name: "Users" }).click();
  await expect(
    page.getByRole("cell", { name: "member@northwind.example", exact: true }),
  ).toBeVisible();
  await page.getByLabel("Email").fill("should-not-exist@northwind.example");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.locator("form").getByRole("alert")).toContainText("read-only mode");

  await banner.getByRole("button", { name: "Exit" }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByRole("region", { name: "Switched into a customer" })).toHaveCount(0);

  // Northwind's admin sees the access, the reason, and what was viewed and refused.
  const northwind = await (await browser.newContext()).newPage();
  await signIn(northwind, CUSTOMER_ADMIN);
  await northwind.getByRole("link", { name: "Audit trail" }).click();
  const access = northwind
    .getByRole("region", { name: "Platform staff access" })
    .getByRole("listitem")
    .first();
  await expect(access).toContainText(SUPER_ADMIN);
  await expect(access).toContainText(`Reason: ${REASON}`);
  await expect(access).toContainText("read only");
  await expect(access).toContainText("users.list");
  await expect(access).toContainText("invites.create (denied)");

  // Bluebird's admin sees nothing of it.
  const bluebird = await (await browser.newContext()).newPage();
  await signIn(bluebird, "admin@bluebird.example");
  await bluebird.goto("/audit-trail");
  await expect(
    bluebird.getByText("Platform staff have not accessed your organisation"),
  ).toBeVisible();
  await expect(bluebird.getByText(REASON)).toHaveCount(0);
});

test("exiting a switch in one browser ends it in another at its next navigation", async ({
  browser,
}) => {
  const first = await (await browser.newContext()).newPage();
  const second = await (await browser.newContext()).newPage();
  await signIn(first, SUPER_ADMIN);
  await signIn(second, SUPER_ADMIN);

  await first.goto("/customers?q=bluebird");
  await first.getByRole("link", { name: "Bluebird Auto Parts" }).click();
  const form = first.getByRole("form", { name: "Switch into this customer" });
  await form.getByLabel(/Reason/).fill("Ticket OPS-10: two-tab check");
  await form.getByRole("button", { name: "Switch into Bluebird Auto Parts" }).click();
  await expect(first.getByRole("region", { name: "Switched into a customer" })).toBeVisible();

  await second.goto("/home");
  await expect(second.getByRole("region", { name: "Switched into a customer" })).toContainText(
    "Bluebird Auto Parts",
  );

  await first.getByRole("button", { name: "Exit" }).click();
  await expect(first).toHaveURL(/\/customers$/);

  await second.goto("/home");
  await expect(second.getByRole("region", { name: "Switched into a customer" })).toHaveCount(0);
  // No longer switched, the super-admin has no customer home: customer pages answer 404.
  await expect(second.getByRole("heading", { level: 1, name: "Bluebird Auto Parts" })).toHaveCount(
    0,
  );
});
