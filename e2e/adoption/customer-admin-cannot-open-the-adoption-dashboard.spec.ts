// The adoption dashboard is the platform's: a customer's admin or member gets a 404 for it —
// no redirect, no link, nothing that says it exists; and its actions refuse them on the server.
import { expect, test } from "@playwright/test";
import { CUSTOMER_ADMIN, CUSTOMER_MEMBER, SUPER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

for (const email of [CUSTOMER_ADMIN, CUSTOMER_MEMBER]) {
  test(`${email} gets a 404 for the adoption dashboard`, async ({ page }) => {
    await signIn(page, email);
    await expect(page.getByRole("link", { name: "Adoption" })).toHaveCount(0);
    for (const path of ["/adoption", "/adoption?schema=app"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      await expect(page.getByTestId("coverage")).toHaveCount(0);
      await expect(page.getByRole("button", { name: "Run adoption" })).toHaveCount(0);
    }
  });
}

test("a customer admin replaying the super-admin's Verify-now action is refused as not found and audited as denied", async ({
  browser,
}) => {
  const admin = await browser.newPage();
  await signIn(admin, SUPER_ADMIN);
  await admin.goto("/adoption");
  const posted = admin.waitForRequest(
    (r) => r.method() === "POST" && r.headers()["next-action"] !== undefined,
  );
  await admin.getByRole("button", { name: "Verify now" }).click();
  const action = await posted;
  await expect(admin.getByRole("status").filter({ hasText: /^Verified: / })).toBeVisible();
  const runsBefore = await ownerQuery<{ n: number }>(
    "select count(*)::int as n from control.adoption_runs",
  );

  const page = await browser.newPage();
  await signIn(page, CUSTOMER_ADMIN);
  const response = await page.request.post("/adoption", {
    headers: {
      "next-action": action.headers()["next-action"],
      "content-type": action.headers()["content-type"],
      accept: "text/x-component",
    },
    data: action.postDataBuffer()!,
  });
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain("Not found");
  expect(
    await ownerQuery<{ n: number }>("select count(*)::int as n from control.adoption_runs"),
  ).toEqual(runsBefore);
  const events = await ownerQuery<{ outcome: string }>(
    "select outcome from control.audit_events where action = 'adoption.verify' and actor_email = $1",
    [CUSTOMER_ADMIN],
  );
  expect(events).toEqual([{ outcome: "denied" }]);
});
