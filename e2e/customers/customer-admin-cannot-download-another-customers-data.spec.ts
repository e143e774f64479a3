// A customer's data as an archive (issue #15): a customer admin downloads their own and gets a
// 404 for another customer's, recorded as denied; a member cannot export at all; a super-admin
// exports any customer's from its page.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Download } from "@playwright/test";
import * as tar from "tar";
import { CUSTOMER_ADMIN, CUSTOMER_MEMBER, SUPER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

const idOf = async (name: string) =>
  (await ownerQuery<{ id: string }>("select id from control.customers where name = $1", [name]))[0]
    .id;

/** The manifest inside a downloaded archive. */
async function manifestOf(download: Download) {
  const folder = await mkdtemp(path.join(tmpdir(), "e2e-archive-"));
  await tar.x({ file: (await download.path())!, cwd: folder });
  return JSON.parse(await readFile(path.join(folder, "manifest.json"), "utf8"));
}

test("a customer admin downloads their own data, and another customer's is a 404", async ({
  page,
}) => {
  const own = await idOf("Northwind Motors");
  const other = await idOf("Bluebird Auto Parts");
  await signIn(page, CUSTOMER_ADMIN);
  await page.goto("/home");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download your data" }).click();
  const manifest = await manifestOf(await download);
  expect(manifest).toMatchObject({
    format: "tenantry-customer-archive",
    customer: { id: own, name: "Northwind Motors" },
  });

  // The download's slot is free by its last byte: the next one, at once, is not refused.
  expect((await page.request.get("/api/data/export")).status()).toBe(200);

  const foreign = await page.request.get(`/api/data/export?customer=${other}`);
  expect(foreign.status()).toBe(404);
  expect(await foreign.text()).toBe("Not found.");
  const [denied] = await ownerQuery<{ n: number }>(
    "select count(*)::int as n from control.audit_events where action = 'data.export' and outcome = 'denied' and tenant_id = $1 and target_id = $2",
    [own, other],
  );
  expect(denied.n).toBeGreaterThan(0);
  const [exports] = await ownerQuery<{ n: number }>(
    "select count(*)::int as n from control.customer_exports where tenant_id = $1",
    [other],
  );
  expect(exports.n).toBe(0);
});

test("a member cannot export, and a super-admin exports any customer's data from its page", async ({
  browser,
}) => {
  const member = await browser.newPage();
  await signIn(member, CUSTOMER_MEMBER);
  expect((await member.request.get("/api/data/export")).status()).toBe(404);
  await member.close();

  const page = await browser.newPage();
  const bluebird = await idOf("Bluebird Auto Parts");
  await signIn(page, SUPER_ADMIN);
  await page.goto(`/customers/${bluebird}`);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export this customer's data" }).click();
  expect(await manifestOf(await download)).toMatchObject({
    customer: { id: bluebird, name: "Bluebird Auto Parts" },
  });
  await page.close();
});
