// The first command: `npm start` with no DATABASE_URL brings the console up on PGlite, and a new
// user's first visit to the migration dashboard adopts the demo's legacy schema there too (the
// embedded server serialises connections during a transaction: the run must not wait on itself).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { SUPER_ADMIN, signIn } from "../auth/helpers";

test("npm start with no DATABASE_URL serves a healthy console on the embedded database, which adopts the demo", async ({ browser }) => {
  test.setTimeout(180_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "tenantry-embedded-"));
  const port = 3300 + Math.floor(Math.random() * 500);
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), TENANTRY_DATA_DIR: dataDir };
  env.EMBEDDED_PG_PORT = String(port + 20_000);
  delete env.DATABASE_URL;
  delete env.APP_DATABASE_URL;
  const child = spawn("npm", ["start"], { cwd: path.resolve(import.meta.dirname, "../.."), env, detached: true });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  try {
    const deadline = Date.now() + 150_000;
    let status = 0;
    while (Date.now() < deadline && child.exitCode === null) {
      status = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.status, () => 0);
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status, output).toBe(200);
    const body = await (await fetch(`http://127.0.0.1:${port}/api/health`)).json();
    expect(body.status).toBe("ok");
    expect(output).toContain(`http://localhost:${port}`);
    expect(output).toContain("admin@tenantry.local");

    const page = await (await browser.newContext({ baseURL: `http://localhost:${port}` })).newPage();
    await signIn(page, SUPER_ADMIN);
    await page.goto("/migrations");
    await expect(page.getByTestId("coverage")).toHaveText("0 of 32 tables isolated; 32 not isolated");
    await page.getByRole("button", { name: "Run adoption" }).click();
    await expect(page.getByTestId("coverage")).toHaveText("32 of 32 tables isolated", { timeout: 60_000 });
    // Its steps are recorded when it ends (the embedded server cannot show them live).
    await expect(page.getByRole("table", { name: /runs, newest first/ }).getByText("12 steps")).toBeVisible();
  } finally {
    process.kill(-child.pid!, "SIGINT");
    await new Promise((resolve) => child.once("exit", resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
