// A switch ends with what allowed it: suspending a customer ends a super-admin's open write switch
// into it, and a write switch into a suspended customer is refused — in the form, and at the
// action when the form is forced.
import { expect, test } from "@playwright/test";
import { ownerQuery } from "../db";
import { enterCode, SUPER_ADMIN, signIn } from "../auth/helpers";

const ID = "SWTEST234";
const SECOND = "second-admin@tenantry.local";

test("suspending a customer ends an open switch into it; a write switch into it is then refused", async ({
  page,
  browser,
}) => {
  await ownerQuery(
    "insert into control.customers (id, name, contact_email, status) values ($1, 'Switch Test Garage', 'ops@switch.example', 'active')",
    [ID],
  );
  await ownerQuery(
    `insert into control.users (email, display_name, password_hash, platform_role)
       select $1, 'Second Admin', password_hash, 'super_admin' from control.users where email = $2`,
    [SECOND, SUPER_ADMIN],
  );

  await signIn(page, SUPER_ADMIN);
  await page.goto(`/customers/${ID}`);
  const form = page.getByRole("form", { name: "Switch into this customer" });
  await form.getByLabel(/Reason/).fill("Ticket OPS-31: fixing a stuck import");
  await form.getByLabel("Read and write").check();
  // Write mode asks for a fresh code (step-up).
  await enterCode(page, SUPER_ADMIN, /Code from your authenticator app/);
  await form.getByRole("button", { name: "Switch into Switch Test Garage" }).click();
  const banner = page.getByRole("region", { name: "Switched into a customer" });
  await expect(banner).toContainText("read and write");

  const other = await (await browser.newContext()).newPage();
  await signIn(other, SECOND);
  await other.goto(`/customers/${ID}`);
  const suspend = other.getByRole("form", { name: "Suspend" });
  await suspend.getByRole("textbox").fill("Unpaid invoices, ticket OPS-32");
  await suspend.getByRole("button", { name: "Suspend" }).click();
  await expect(other.getByRole("form", { name: "Reactivate" })).toBeVisible();

  await page.goto("/customers");
  await expect(page.getByRole("region", { name: "Switched into a customer" })).toHaveCount(0);
  const [ended] = await ownerQuery<{ end_reason: string }>(
    "select end_reason from control.switches where tenant_id = $1",
    [ID],
  );
  expect(ended.end_reason).toBe("customer suspended");

  await page.goto(`/customers/${ID}`);
  await expect(
    form.getByText("Switch Test Garage is suspended: you can switch in read-only mode only."),
  ).toBeVisible();
  await expect(form.getByLabel("Read and write")).toBeDisabled();
  // Forced past the form: the action refuses it too.
  await form.getByLabel("Read and write").evaluate((radio: HTMLInputElement) => {
    radio.disabled = false;
    radio.checked = true;
  });
  await form.getByLabel(/Reason/).fill("Ticket OPS-33: trying to write anyway");
  await form.getByRole("button", { name: "Switch into Switch Test Garage" }).click();
  await expect(form.getByRole("alert")).toContainText("read-only mode only");
  expect(
    await ownerQuery("select 1 from control.switches where tenant_id = $1 and ended_at is null", [
      ID,
    ]),
  ).toEqual([]);
});
