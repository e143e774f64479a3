// The demo's password is published. `npm start` on a real database must not create it: no
// user afterwards, a sign-in hint that names `admin:create`, and `tenantry-demo` signs no one
// in. The demo comes only when asked, and never into a database that has users.
import { expect, test } from "@playwright/test";
import pg from "pg";
import { createDatabase, type TestDatabase } from "../../db/test/databases";
import { DEMO_PASSWORD, SUPER_ADMIN, signIn } from "../auth/helpers";
import { runScript, startConsole } from "./console-process";

async function query<T extends pg.QueryResultRow>(
  database: TestDatabase,
  text: string,
): Promise<T[]> {
  const client = new pg.Client({ connectionString: database.ownerUrl });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const envFor = (database: TestDatabase) => ({
  DATABASE_URL: database.ownerUrl,
  APP_DATABASE_URL: database.appUrl,
  AUTH_SECRET: "e2e-only-secret-not-for-any-real-deployment",
});

test("npm start on an empty real database seeds no demo, says how to create the first super-admin, and admin:create is audited", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const database = await createDatabase(`${process.env.E2E_DATABASE}_real`);
  const console_ = startConsole(envFor(database));
  try {
    expect(await console_.healthy(), console_.output()).toBe(200);
    expect(console_.output()).toContain("npm run admin:create");
    expect(console_.output()).not.toContain(DEMO_PASSWORD);
    expect(await query(database, "select email from control.users")).toEqual([]);
    expect(
      await query(database, "select 1 from information_schema.schemata where schema_name = 'app'"),
    ).toEqual([]);

    const page = await (
      await browser.newContext({ baseURL: `http://localhost:${console_.port}` })
    ).newPage();
    await page.goto("/sign-in");
    await expect(page.getByRole("status")).toContainText("npm run admin:create");
    await page.getByLabel("Email").fill(SUPER_ADMIN);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form").getByRole("alert")).toContainText(
      "The email or password is not right.",
    );

    // The first super-admin, from the command line: on the record with the OS user who made it.
    const created = await runScript(
      "admin:create",
      ["--email", "first@platform.example", "--password-stdin"],
      envFor(database),
      "a long enough password\n",
    );
    expect(created.code, created.output).toBe(0);
    const events = await query<{ target_id: string; details: { email: string; osUser: string } }>(
      database,
      "select target_id, details from control.audit_events where action = 'super-admins.create' and tenant_id is null",
    );
    expect(events).toHaveLength(1);
    expect(events[0].details.email).toBe("first@platform.example");
    expect(events[0].details.osUser).toBeTruthy();
    await page.goto("/sign-in");
    await expect(page.getByRole("status")).toHaveCount(0);
    await signIn(page, "first@platform.example", "a long enough password");
  } finally {
    await console_.stop();
  }

  // Now it has users: the demo is refused, by start and by the demo command alike.
  const refused = startConsole(envFor(database), ["--demo"]);
  expect(await refused.exited()).not.toBe(0);
  expect(refused.output()).toContain("already has console users");
  const seed = await runScript("demo", ["seed"], envFor(database));
  expect(seed.code).toBe(1);
  expect(seed.output).toContain("already has console users");
  expect(await query(database, "select email from control.users")).toEqual([
    { email: "first@platform.example" },
  ]);
});

test("npm start -- --demo on an empty real database seeds the demo", async ({ browser }) => {
  test.setTimeout(180_000);
  const database = await createDatabase(`${process.env.E2E_DATABASE}_demo`);
  const console_ = startConsole(envFor(database), ["--demo"]);
  try {
    expect(await console_.healthy(), console_.output()).toBe(200);
    expect(console_.output()).toContain(`${SUPER_ADMIN} / ${DEMO_PASSWORD}`);
    const page = await (
      await browser.newContext({ baseURL: `http://localhost:${console_.port}` })
    ).newPage();
    await signIn(page, SUPER_ADMIN);
  } finally {
    await console_.stop();
  }
});
