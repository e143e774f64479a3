// Adopting with a live customer as the owner of the legacy rows hands all of them to its users at
// once: the dashboard asks for an explicit confirmation, and the action refuses without it.
import { expect, test } from "@playwright/test";
import { SUPER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

test("Run with a live customer as the owner refuses until the confirmation is ticked; viewing the dashboard runs nothing", async ({
  page,
}) => {
  const [northwind] = await ownerQuery<{ id: string }>(
    "select id from control.customers where name = 'Northwind Motors'",
  );
  const before = await ownerQuery("select id from control.adoption_runs");
  await signIn(page, SUPER_ADMIN);
  await page.goto(`/adoption?tenant=${northwind.id}`);
  const confirmation = page.getByRole("checkbox", {
    name: /Northwind Motors .* is a live customer/,
  });
  await expect(confirmation).not.toBeChecked();
  await page.getByRole("button", { name: "Run adoption" }).click();
  await expect(page.locator("form").getByRole("alert")).toContainText(
    "Northwind Motors is a live customer: its users would see every existing row at once.",
  );
  expect(await ownerQuery("select id from control.adoption_runs")).toEqual(before);
  const [refused] = await ownerQuery<{ outcome: string }>(
    "select outcome from control.audit_events where action = 'adoption.run' order by id desc limit 1",
  );
  expect(refused.outcome).toBe("failed");

  // The reserved legacy owner needs no confirmation.
  await page.goto("/adoption");
  await expect(page.getByRole("button", { name: "Run adoption" })).toBeVisible();
  await expect(page.getByRole("checkbox", { name: /is a live customer/ })).toHaveCount(0);
});
