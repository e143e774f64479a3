// Placement (issue #16): the super-admin sees both registered databases healthy, moves a demo
// customer to the dedicated one from its page and watches the move to its end, then, on the
// move's page, confirms the cleanup of the old rows that wait for their grace period; the
// customer's admin sees the same console afterwards, and gets 404 for the Databases page, the
// move's page and the status API, which answers the super-admin in JSON.
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, SUPER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

const CASCADE_ADMIN = "admin@cascade.example";

/**
 * A small data-plane table of the spec's own, made tenant-scoped as the adoption makes one (the
 * demo's customers have no rows in the sample, which belongs to its legacy customer): three rows
 * of the moved customer, two of another. A move's prepare makes it on the dedicated database.
 */
const NOTES = "e2e_moves.notes";
const TENANT = "(select nullif(current_setting('app.tenant_id', true), ''))";
async function scopedNotes(moved: string, other: string) {
  for (const statement of [
    "create schema e2e_moves",
    `create table ${NOTES} (tenant_id text not null default current_setting('app.tenant_id'), id int not null, body text, primary key (tenant_id, id))`,
    `alter table ${NOTES} enable row level security`,
    `alter table ${NOTES} force row level security`,
    `create policy notes_tenant_isolation on ${NOTES} using (tenant_id = ${TENANT}) with check (tenant_id = ${TENANT})`,
    "grant usage on schema e2e_moves to tenantry_tenant, tenantry_platform",
    `grant select, insert, update, delete on ${NOTES} to tenantry_tenant, tenantry_platform`,
  ])
    await ownerQuery(statement);
  await ownerQuery(
    `insert into ${NOTES} (tenant_id, id, body) values ($1, 1, 'a'), ($1, 2, 'b'), ($1, 3, 'c'), ($2, 1, 'x'), ($2, 2, 'y')`,
    [moved, other],
  );
}
// The later specs see the demo as it was: no scoped table of this spec's on either database.
test.afterEach(async () => {
  for (const database of [process.env.E2E_DATABASE!, `${process.env.E2E_DATABASE}_dedicated`])
    await ownerQuery("drop schema if exists e2e_moves cascade", [], database);
});

const notesOf = async (customer: string) =>
  (
    await ownerQuery<{ n: number }>(
      `select count(*)::int as n from ${NOTES} where tenant_id = $1`,
      [customer],
    )
  )[0].n;

test("a super-admin moves a customer to the dedicated database and watches it; its admin sees the same and no placement", async ({
  page,
  browser,
}) => {
  const [cascade] = await ownerQuery<{ id: string }>(
    "select id from control.customers where name = 'Cascade Tire & Service'",
  );
  const [bluebird] = await ownerQuery<{ id: string }>(
    "select id from control.customers where name = 'Bluebird Auto Parts'",
  );
  await scopedNotes(cascade.id, bluebird.id);
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
  // The old rows wait on primary; the other customer's are untouched.
  expect(await notesOf(cascade.id)).toBe(3);
  await page.getByRole("button", { name: /^Clean up now/ }).click();
  // The page follows: the old rows are gone, and the cleanup is a phase of the move.
  await expect(page.getByLabel("Old rows")).toContainText("deleted");
  await expect(page.getByRole("list", { name: "Phases" })).toContainText("cleanup: ok");
  await expect(page.getByRole("list", { name: "Phases" })).toContainText(
    "3 rows deleted from primary",
  );
  expect(await notesOf(cascade.id)).toBe(0);
  expect(await notesOf(bluebird.id)).toBe(2);
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

  // A later page of the history whose moves are gone (a cursor from before every move): the
  // Databases page shows the first page instead of an empty one.
  const past = Buffer.from(
    JSON.stringify({ page: 3, towards: "next", at: "1", id: moves[0].id }),
  ).toString("base64url");
  await page.goto(`/databases?moves=${past}`);
  await expect(page).toHaveURL(/\/databases$/);
  await expect(page.getByRole("region", { name: "Moves" })).toContainText("Cascade Tire & Service");

  // The customer's admin: the same console, and nothing of placement.
  await customerAdmin.reload();
  expect(await customerAdmin.getByRole("table").innerText()).toBe(usersBefore);
  expect((await customerAdmin.goto("/databases"))?.status()).toBe(404);
  expect((await customerAdmin.goto(movePage))?.status()).toBe(404);
  for (const path of ["/api/v1/moves", `/api/v1/moves/${moves[0].id}`])
    expect((await customerAdmin.request.get(path)).status()).toBe(404);
});
