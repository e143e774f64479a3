// A tampered payload: Northwind's admin submits the withdraw form with Bluebird's invitation
// ID in it. The action must refuse it as not found and audit the attempt as denied.
import { expect, test } from "@playwright/test";
import { CUSTOMER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

async function invite(page: import("@playwright/test").Page, email: string) {
  await page.goto("/users");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByRole("status")).toContainText(`Invitation created for ${email}`);
}

test("another customer's invitation ID in the form data is refused and audited as denied", async ({
  browser,
}) => {
  const bluebird = await browser.newPage();
  await signIn(bluebird, "admin@bluebird.example");
  await invite(bluebird, "target@bluebird.example");
  const [foreign] = await ownerQuery<{ id: string; tenant_id: string }>(
    "select id, tenant_id from control.invites where email = 'target@bluebird.example'",
  );

  const page = await browser.newPage();
  await signIn(page, CUSTOMER_ADMIN);
  await invite(page, "own@northwind.example");
  // Northwind's page lists only Northwind's invitation.
  await expect(page.getByText("target@bluebird.example")).toHaveCount(0);

  const form = page.locator("form", {
    has: page.getByRole("button", { name: "Withdraw the invitation for own@northwind.example" }),
  });
  await form
    .locator('input[name="inviteId"]')
    .evaluate((input, id) => ((input as HTMLInputElement).value = id), foreign.id);
  await form.getByRole("button").click();
  await expect(form.getByRole("alert")).toContainText("Not found");

  const [still] = await ownerQuery<{ revoked_at: Date | null }>(
    "select revoked_at from control.invites where id = $1",
    [foreign.id],
  );
  expect(still.revoked_at).toBeNull();
  const events = await ownerQuery<{ actor_email: string; tenant_id: string; outcome: string }>(
    "select actor_email, tenant_id, outcome from control.audit_events where action = 'invites.revoke' and target_id = $1",
    [foreign.id],
  );
  expect(events).toHaveLength(1);
  expect(events[0].actor_email).toBe(CUSTOMER_ADMIN);
  expect(events[0].outcome).toBe("denied");
  expect(events[0].tenant_id).not.toBe(foreign.tenant_id);

  // Bluebird's admin still sees the invitation open.
  await bluebird.reload();
  await expect(bluebird.getByText("target@bluebird.example")).toBeVisible();
});
