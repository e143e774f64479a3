// The first command: `npm start` with no DATABASE_URL brings the console up on PGlite, and a new
// user's first visit to the migration dashboard adopts the demo's legacy schema there too (the
// embedded server serialises connections during a transaction: the run must not wait on itself).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { SUPER_ADMIN, signIn } from "../auth/helpers";
import { startConsole } from "./console-process";

test("npm start with no DATABASE_URL serves a healthy console on the embedded database, which adopts the demo", async ({ browser }) => {
  test.setTimeout(180_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "tenantry-embedded-"));
  const pgPort = 23_300 + Math.floor(Math.random() * 500);
  const console_ = startConsole({ TENANTRY_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), DATABASE_URL: undefined, APP_DATABASE_URL: undefined });
  const port = console_.port;
  try {
    expect(await console_.healthy(), console_.output()).toBe(200);
    const body = await (await fetch(`http://127.0.0.1:${port}/api/health`)).json();
    expect(body.status).toBe("ok");
    expect(console_.output()).toContain(`http://localhost:${port}`);
    expect(console_.output()).toContain("admin@tenantry.local");

    const page = await (await browser.newContext({ baseURL: `http://localhost:${port}` })).newPage();
    await signIn(page, SUPER_ADMIN);
    await page.goto("/migrations");
    await page.getByRole("button", { name: "Verify now" }).click();
    await expect(page.getByTestId("coverage")).toHaveText("0 of 32 tables isolated; 32 not isolated");
    await page.getByRole("button", { name: "Run adoption" }).click();
    await expect(page.getByTestId("coverage")).toHaveText("32 of 32 tables isolated", { timeout: 60_000 });
    // Its steps are recorded when it ends (the embedded server cannot show them live).
    await expect(page.getByRole("table", { name: /runs, newest first/ }).getByText("12 steps")).toBeVisible();
  } finally {
    await console_.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
