// The end of a customer (issue #15): a super-admin starts its offboarding, is refused the erase
// until the data is exported, exports it, types the customer's ID, erases it, and downloads the
// certificate; the export and the erase are jobs the page lists.
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { SUPER_ADMIN, signIn } from "../auth/helpers";
import { generateCustomerId } from "../../lib/customers/ids";
import { ownerQuery } from "../db";

test("a super-admin offboards a customer: export, erase with the typed ID, certificate", async ({
  page,
}) => {
  const id = generateCustomerId();
  await ownerQuery(
    "insert into control.customers (id, name, status, contact_email) values ($1, 'Leaving Ltd', 'active', 'ops@leaving.example')",
    [id],
  );
  await signIn(page, SUPER_ADMIN);
  await page.goto(`/customers/${id}`);
  const offboard = page.getByRole("form", { name: "Start offboarding" });
  await offboard.getByLabel(/Reason/).fill("contract ended, ticket OPS-9");
  await offboard.getByRole("button", { name: "Start offboarding" }).click();
  const erase = page.getByRole("form", { name: "Erase this customer" });
  await expect(erase).toBeVisible();

  // Not before an export.
  await erase.getByLabel(`Type ${id} to confirm`).fill(id);
  await erase.getByRole("button", { name: "Erase this customer" }).click();
  await expect(erase.getByRole("alert")).toContainText("has no export from the last 7 days");

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export this customer's data" }).click();
  expect((await download).suggestedFilename()).toMatch(
    new RegExp(`^customer-${id}-.*\\.tar\\.gz$`),
  );
  await page.reload();
  await expect(page.getByText(/Last export: .* by admin@tenantry\.local/)).toBeVisible();
  // The export was a recorded job, with every table's progress.
  const jobs = page.getByRole("list", { name: "Jobs, newest first" });
  await expect(jobs.getByRole("listitem", { name: "export succeeded" })).toBeVisible();

  // The ID must be typed exactly.
  await erase.getByLabel(`Type ${id} to confirm`).fill("NOTTHISONE");
  await erase.getByRole("button", { name: "Erase this customer" }).click();
  await expect(erase.getByRole("alert")).toHaveText(
    `Type the customer ID ${id} to confirm the erase.`,
  );
  await erase.getByLabel(`Type ${id} to confirm`).fill(id);
  await erase.getByRole("button", { name: "Erase this customer" }).click();
  // The erase runs as a job after the answer; the page follows it to its end.
  await expect(page.getByText(/^Erased .* UTC by admin@tenantry\.local\./)).toBeVisible();
  await expect(jobs.getByRole("listitem", { name: "erase succeeded" })).toBeVisible();

  const certificate = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download the erase certificate" }).click();
  const json = JSON.parse(await readFile((await (await certificate).path())!, "utf8"));
  expect(json).toMatchObject({
    customer: { id, name: "Leaving Ltd" },
    erasedBy: SUPER_ADMIN,
    export: { createdBy: SUPER_ADMIN },
  });
  const [row] = await ownerQuery<{ status: string; contact_email: string }>(
    "select status, contact_email from control.customers where id = $1",
    [id],
  );
  expect(row).toEqual({ status: "erased", contact_email: "erased@example.invalid" });
});
