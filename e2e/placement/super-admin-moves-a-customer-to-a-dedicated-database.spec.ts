// Placement (issue #16): the super-admin sees both registered databases healthy, moves a demo
// customer to the dedicated one from its page and watches the move to its end, then, on the
// move's page, confirms the cleanup of the old rows that wait for their grace period; the
// customer's admin sees the same console afterwards, and gets 404 for the Databases page, the
// move's page and the status API, which answers the super-admin in JSON.
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, SUPER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

const CASCADE_ADMIN = "admin@cascade.example";

test("a super-admin moves a customer to the dedicated database and watches it; its admin sees the same and no placement", async ({
  page,
  browser,
}) => {
  const [cascade] = await ownerQuery<{ id: string }>(
    "select id from control.customers where name = 'Cascade Tire & Service'",
  );
  const customerAdmin = await (await browser.newContext()).newPage();
  await signIn(customerAdmin, CASCADE_ADMIN, DEMO_PASSWORD);
  await customerAdmin.getByRole("link", { name: "Users" }).click();
  const usersBefore = await customerAdmin.getByRole("table").innerText();

  await signIn(page, SUPER_ADMIN);
  await page.getByRole("link", { name: "Databases" }).click();
  for (const name of ["primary (shared, active)", "dedicated-1 (dedicated, active)"])
    await expect(page.getByRole("region", { name })).toContainText("isolated");

  await page.goto(`/customers/${cascade.id}`);
  const placement = page.getByRole("region", { name: "Placement" });
  await expect(placement).toContainText("Its data plane lives on primary.");
  const form = placement.getByRole("form", { name: "Move this customer" });
  await form.getByLabel("Move to").selectOption("dedicated-1");
  await form.getByRole("button", { name: "Move" }).click();
  // The page follows the move to its end.
  await expect(
    placement.getByRole("listitem", { name: `move of ${cascade.id} succeeded` }),
  ).toBeVisible();
  await expect(placement).toContainText("Its data plane lives on dedicated-1.");
  const [row] = await ownerQuery<{ database: string }>(
    "select database from control.customers where id = $1",
    [cascade.id],
  );
  expect(row.database).toBe("dedicated-1");

  // The move's page: how it went, and the old rows waiting on primary until confirmed.
  await placement.getByRole("link", { name: /Cascade Tire & Service/ }).click();
  await expect(page.getByRole("heading", { name: "Move of Cascade Tire & Service" })).toBeVisible();
  await expect(page.getByLabel("Status")).toHaveText("succeeded");
  await expect(page.getByLabel("Writes held")).toHaveText(/^[\d,]+ ms$/);
  await expect(page.getByLabel("Old rows")).toContainText("waiting until");
  const [waiting] = await ownerQuery<{ n: number }>(
    "select count(*)::int as n from app.customers where tenant_id = $1",
    [cascade.id],
  );
  expect(waiting.n).toBeGreaterThan(0);
  await page.getByRole("button", { name: /^Clean up now/ }).click();
  await expect(page.getByRole("status")).toContainText("Cleaned up:");
  await expect(page.getByLabel("Old rows")).toContainText("deleted");
  const [left] = await ownerQuery<{ n: number }>(
    "select count(*)::int as n from app.customers where tenant_id = $1",
    [cascade.id],
  );
  expect(left.n).toBe(0);
  const movePage = page.url();

  // The status API, for operations tooling.
  const list = await page.request.get(`/api/v1/moves?customer=${cascade.id}`);
  expect(list.status()).toBe(200);
  const { moves } = await list.json();
  expect(moves[0]).toMatchObject({
    tenantId: cascade.id,
    status: "succeeded",
    target: "dedicated-1",
  });
  expect((await page.request.get(`/api/v1/moves/${moves[0].id}`)).status()).toBe(200);
  expect((await page.request.get("/api/v1/moves/not-a-uuid")).status()).toBe(400);

  // The customer's admin: the same console, and nothing of placement.
  await customerAdmin.reload();
  expect(await customerAdmin.getByRole("table").innerText()).toBe(usersBefore);
  expect((await customerAdmin.goto("/databases"))?.status()).toBe(404);
  expect((await customerAdmin.goto(movePage))?.status()).toBe(404);
  for (const path of ["/api/v1/moves", `/api/v1/moves/${moves[0].id}`])
    expect((await customerAdmin.request.get(path)).status()).toBe(404);
});
