// Northwind's admin probing Bluebird: its customer page, the customer list, and an action on
// one of Bluebird's users. Every attempt is a 404 or "not found", and every one is audited.
import { expect, test } from "@playwright/test";
import { CUSTOMER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

test("a customer admin gets 404 for another customer's page and users, and is audited as denied", async ({
  page,
}) => {
  const [bluebird] = await ownerQuery<{ id: string }>(
    "select id from control.customers where name = 'Bluebird Auto Parts'",
  );
  const [bluebirdAdmin] = await ownerQuery<{ id: string }>(
    "select id from control.users where email = 'admin@bluebird.example'",
  );
  await signIn(page, CUSTOMER_ADMIN);

  for (const path of [`/customers/${bluebird.id}`, "/customers", "/customers/new"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByText("Bluebird")).toHaveCount(0);
  }
  const views = await ownerQuery<{ outcome: string; target_id: string | null }>(
    "select outcome, target_id from control.audit_events where actor_email = $1 and action = 'customers.view'",
    [CUSTOMER_ADMIN],
  );
  expect(views).toContainEqual({ outcome: "denied", target_id: bluebird.id });

  // A tampered form: remove Bluebird's admin from Northwind's users page.
  await page.goto("/users");
  const form = page.locator("form", {
    has: page.getByRole("button", { name: "Remove member@northwind.example" }),
  });
  await form
    .locator('input[name="userId"]')
    .evaluate((input, id) => ((input as HTMLInputElement).value = id), bluebirdAdmin.id);
  await form.getByRole("button").click();
  await expect(page.getByRole("alert").filter({ hasText: "Not found" })).toBeVisible();

  const [still] = await ownerQuery("select 1 as present from control.users where id = $1", [
    bluebirdAdmin.id,
  ]);
  expect(still).toEqual({ present: 1 });
  const removals = await ownerQuery<{ outcome: string }>(
    "select outcome from control.audit_events where actor_email = $1 and action = 'users.remove' and target_id = $2",
    [CUSTOMER_ADMIN, bluebirdAdmin.id],
  );
  expect(removals).toEqual([{ outcome: "denied" }]);
});

test("the last admin can be neither demoted nor removed", async ({ page }) => {
  await signIn(page, "admin@cascade.example");
  await page.goto("/users");
  await page.getByRole("button", { name: "Make a member: admin@cascade.example" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "is the last admin" })).toBeVisible();
  await page.getByRole("button", { name: "Remove admin@cascade.example" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "cannot be removed" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("cell", { name: "admin", exact: true })).toBeVisible();
});
