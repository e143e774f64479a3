import { expect, test } from "@playwright/test";
import { SUPER_ADMIN, signIn } from "../auth/helpers";

test("the console shell loads with its navigation and reports isolation in force", async ({
  page,
}) => {
  await signIn(page, SUPER_ADMIN);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Customers by status" })).toBeVisible();

  await page.getByRole("link", { name: "System health" }).click();
  await expect(page).toHaveURL(/\/system$/);
  await expect(page.getByRole("link", { name: "System health" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await expect(page.getByText("All isolation checks pass")).toBeVisible();
  await expect(
    page.getByRole("row", { name: /^control\.memberships is tenant-isolated pass/ }),
  ).toBeVisible();
  // Every registered database is checked too (the e2e server registers dedicated-1).
  await expect(
    page.getByRole("row", {
      name: /^database dedicated-1: control\.memberships is tenant-isolated pass/,
    }),
  ).toBeVisible();
});

test("the health route answers 200 and one word, without signing in, naming no check", async ({
  request,
}) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: "ok" });
});
