import { expect, test } from "@playwright/test";
import { CUSTOMER_ADMIN, signIn } from "../auth/helpers";

test("a customer admin invites a member, who sets a password once and signs in", async ({
  page,
  browser,
}) => {
  await signIn(page, CUSTOMER_ADMIN);
  await page.getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();

  // Bad input first: a field message, nothing created.
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();

  await page.getByLabel("Email").fill("new.mechanic@northwind.example");
  await page.getByLabel("Role").selectOption("member");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByRole("status")).toContainText(
    "Invitation created for new.mechanic@northwind.example",
  );
  const link = (await page.getByTestId("invite-link").textContent())!.trim();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);

  // Inviting the same address again is refused while the first is open.
  await page.getByLabel("Email").fill("new.mechanic@northwind.example");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.locator("form").getByRole("alert")).toContainText(
    "already has an open invitation",
  );

  const invitee = await browser.newContext();
  const tab = await invitee.newPage();
  await tab.goto(link);
  await expect(tab.getByText("You are invited to Northwind Motors as a member")).toBeVisible();
  await tab.getByLabel("Your name").fill("New Mechanic");
  await tab.getByLabel("Password", { exact: true }).fill("a-strong-new-password");
  await tab.getByLabel("Repeat the password").fill("a-strong-new-password");
  await tab.getByRole("button", { name: "Create my account" }).click();
  await expect(tab).toHaveURL(/\/sign-in\?invited=/);
  await expect(tab.getByLabel("Email")).toHaveValue("new.mechanic@northwind.example");
  await tab.getByLabel("Password").fill("a-strong-new-password");
  await tab.getByRole("button", { name: "Sign in" }).click();
  await expect(tab).toHaveURL(/\/home$/);
  await expect(tab.getByTestId("signed-in-as")).toContainText(
    "new.mechanic@northwind.example · member",
  );

  // The link worked once.
  await tab.goto(link);
  await expect(tab.getByRole("main").getByRole("alert")).toContainText(
    "This invitation is not valid",
  );
  await invitee.close();

  await page.reload();
  await expect(
    page
      .getByRole("region", { name: /Members/ })
      .getByRole("cell", { name: "new.mechanic@northwind.example", exact: true }),
  ).toBeVisible();
  // Accepted, so no longer open (other specs may leave Northwind invitations of their own).
  await expect(page.getByRole("region", { name: "Open invitations" })).toBeVisible();
  await expect(
    page
      .getByRole("region", { name: "Open invitations" })
      .getByText("new.mechanic@northwind.example"),
  ).toHaveCount(0);
});
