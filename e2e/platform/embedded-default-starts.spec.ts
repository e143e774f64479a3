// The first command: `npm start` with no DATABASE_URL brings the console up on PGlite.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

test("npm start with no DATABASE_URL serves a healthy console on the embedded database", async () => {
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
  } finally {
    process.kill(-child.pid!, "SIGINT");
    await new Promise((resolve) => child.once("exit", resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
