// The first command: `npm start` with no DATABASE_URL brings the console up on a real embedded
// PostgreSQL in an empty data folder: healthy, a sign-in works, the app logs in as tenantry_app
// (not a superuser) with a password and nothing gets in without one, an adoption's steps show
// live while it runs (two connections at once, as on any server), and after the start process is
// killed with SIGKILL the next start recovers; and when its database restarts under traffic, the
// console answers 503 meanwhile, within seconds, and serves again once it is back. A second start
// while it runs, on its data folder or its port, is refused with a sentence and leaves it serving.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import pg from "pg";
import { startEmbeddedServer } from "../../db/embedded";
import { DEMO_PASSWORD, SUPER_ADMIN, signIn } from "../auth/helpers";
import { SERVE_ARGS } from "../../lib/http/serve-args";
import { ROOT, startConsole, type ConsoleProcess } from "./console-process";

function psql(url: string, sql: string) {
  const env = { ...process.env };
  delete env.PGPASSWORD;
  return spawnSync("psql", ["-X", "-w", "-At", "-d", url, "-c", sql], { env, encoding: "utf8" });
}

test("npm start with no DATABASE_URL serves the console on an embedded PostgreSQL: password logins, live adoption steps, recovery after SIGKILL and after a database restart", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "tenantry-embedded-"));
  const pgPort = 23_300 + Math.floor(Math.random() * 500);
  const env = {
    TENANTRY_DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(pgPort),
    DATABASE_URL: undefined,
    APP_DATABASE_URL: undefined,
  };
  let console_: ConsoleProcess = startConsole(env);
  try {
    expect(await console_.healthy(), console_.output()).toBe(200);
    expect(console_.output()).toContain(`http://localhost:${console_.port}`);
    expect(console_.output()).toContain(`embedded PostgreSQL on 127.0.0.1:${pgPort}`);
    expect(console_.output()).toContain("admin@tenantry.local");

    // The passwords were made on first start and are readable by their owner only.
    const credentialsFile = path.join(dataDir, "credentials.json");
    expect(execFileSync("stat", ["-c", "%a", credentialsFile], { encoding: "utf8" }).trim()).toBe(
      "600",
    );
    const credentials = JSON.parse(readFileSync(credentialsFile, "utf8")) as {
      owner: string;
      app: string;
    };
    const app = psql(
      `postgres://tenantry_app:${encodeURIComponent(credentials.app)}@127.0.0.1:${pgPort}/tenantry`,
      "select session_user, r.rolsuper from pg_roles r where r.rolname = session_user",
    );
    expect(app.stdout.trim(), app.stderr).toBe("tenantry_app|f");
    for (const user of ["tenantry_app", "postgres"]) {
      const refused = psql(`postgres://${user}@127.0.0.1:${pgPort}/tenantry`, "select 1");
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/password/);
    }

    // A second start while this one runs. On its data folder: refused, naming this one, before
    // it stops anything. On its port: refused before it starts anything. And the console's
    // server itself, should the port be taken after that check (run here with this console's
    // own environment): a sentence and exit 1, not a server that never serves.
    const sameFolder = startConsole(env);
    expect(await sameFolder.exited(), sameFolder.output()).not.toBe(0);
    expect(sameFolder.output()).toContain("Another start is serving this data folder");
    const otherFolder = mkdtempSync(path.join(os.tmpdir(), "tenantry-embedded-"));
    const samePort = startConsole({
      ...env,
      TENANTRY_DATA_DIR: otherFolder,
      PORT: String(console_.port),
    });
    expect(await samePort.exited(), samePort.output()).not.toBe(0);
    expect(samePort.output()).toContain(`cannot listen on port ${console_.port}: it is taken`);
    rmSync(otherFolder, { recursive: true, force: true });
    const [server] = execFileSync("pgrep", ["-f", "lib/http/serve.ts"], { encoding: "utf8" })
      .trim()
      .split("\n")
      .map(Number)
      .filter((pid) => pid && isDescendant(pid, console_.child.pid!));
    const serverEnv = Object.fromEntries(
      readFileSync(`/proc/${server}/environ`, "utf8")
        .split("\0")
        .filter(Boolean)
        .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
    );
    const serve = spawnSync(process.execPath, SERVE_ARGS, {
      cwd: ROOT,
      env: serverEnv as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 90_000,
    });
    expect(serve.status, serve.stderr).toBe(1);
    expect(serve.stderr).toContain(`cannot listen on port ${console_.port}: it is taken`);
    expect(await console_.healthy(), console_.output()).toBe(200);

    const page = await (
      await browser.newContext({ baseURL: `http://localhost:${console_.port}` })
    ).newPage();
    // The demo's super-admin enrols in two-factor at this first sign-in; the restarted console
    // below (another port, the same database) asks for its codes.
    await signIn(page, SUPER_ADMIN, DEMO_PASSWORD, { console: dataDir });
    // The demo starts with two databases: the shared primary and a dedicated one to move to.
    await page.goto("/databases");
    for (const name of ["primary (shared, active)", "dedicated-1 (dedicated, active)"])
      await expect(page.getByRole("region", { name })).toContainText("isolated");
    await page.goto("/adoption");
    await page.getByRole("button", { name: "Verify now" }).click();
    await expect(page.getByTestId("coverage")).toHaveText(
      "0 of 32 tables isolated; 32 not isolated",
    );
    // Another session holds a table: the run's progress shows live while it waits.
    const holder = new pg.Client({
      connectionString: `postgres://postgres:${encodeURIComponent(credentials.owner)}@127.0.0.1:${pgPort}/tenantry`,
    });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("lock table app.work_order_lines in access exclusive mode");
      await page.getByRole("button", { name: "Run adoption" }).click();
      const progress = page.getByRole("region", { name: /^Adoption of app running since/ });
      await expect(progress.getByRole("status")).toHaveText("Step: plan");
      await holder.query("rollback");
    } finally {
      await holder.end();
    }
    await expect(page.getByTestId("coverage")).toHaveText("32 of 32 tables isolated", {
      timeout: 60_000,
    });
    await expect(
      page.getByRole("table", { name: /runs, newest first/ }).getByText("12 steps"),
    ).toBeVisible();

    // SIGKILL to the start process: nothing of it can clean up. The next start must recover.
    const starters = execFileSync("pgrep", ["-f", "db/start.ts"], { encoding: "utf8" })
      .trim()
      .split("\n")
      .map(Number)
      .filter((pid) => pid && isDescendant(pid, console_.child.pid!));
    expect(starters.length).toBeGreaterThan(0);
    for (const pid of starters) process.kill(pid, "SIGKILL");
    await console_.exited();
    // The console's server notices its parent is gone and stops too.
    const oldPort = console_.port;
    await expect
      .poll(
        () =>
          fetch(`http://127.0.0.1:${oldPort}/api/health`).then(
            () => "up",
            () => "down",
          ),
        { timeout: 15_000 },
      )
      .toBe("down");
    console_ = startConsole(env);
    expect(await console_.healthy(), console_.output()).toBe(200);
    expect(console_.output()).not.toContain("postmaster.pid");
    expect(console_.output()).not.toContain("Seeded the demo");
    const again = await (
      await browser.newContext({ baseURL: `http://localhost:${console_.port}` })
    ).newPage();
    await signIn(again, SUPER_ADMIN, DEMO_PASSWORD, { console: dataDir });
    await again.goto("/adoption");
    await expect(again.getByTestId("coverage")).toHaveText("32 of 32 tables isolated");

    // The database restarted under traffic (issue #20): while it is down, every request is
    // answered within seconds, a 503 with a sentence; once it is back, the same console serves
    // again, with no restart.
    const pidFile = path.join(dataDir, "postgres", "postmaster.pid");
    const postmaster = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    const traffic = load(again.request, ["/adoption", "/customers", "/databases", "/api/health"]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    process.kill(postmaster, "SIGINT");
    await expect.poll(() => existsSync(pidFile), { timeout: 30_000 }).toBe(false);
    const outage = await again.goto("/customers");
    expect(outage?.status()).toBe(503);
    await expect(again.getByRole("heading", { name: "Tenantry is unavailable" })).toBeVisible();
    await expect(again.getByText("cannot reach its database")).toBeVisible();
    // A handler's own 503 is its answer: health still says what it says.
    const health = await again.request.get("/api/health");
    expect([health.status(), await health.json()]).toEqual([503, { status: "unavailable" }]);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const restarted = await startEmbeddedServer({ dataDir, port: pgPort });
    try {
      await expect
        .poll(() => again.request.get("/customers").then((r) => r.status()), { timeout: 30_000 })
        .toBe(200);
      const seen = await traffic.stop();
      expect(seen.other, "answers other than 200 and 503").toEqual([]);
      expect(seen.unavailable, "503s while the database was down").toBeGreaterThan(0);
      expect(seen.slowest, "the slowest answer, in ms").toBeLessThan(10_000);
      await again.goto("/adoption");
      await expect(again.getByTestId("coverage")).toHaveText("32 of 32 tables isolated");
    } finally {
      await restarted.stop();
    }
  } finally {
    await console_.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** Loops of GETs over `paths` until stopped: what they were answered, and the slowest answer. */
function load(request: APIRequestContext, paths: string[]) {
  let running = true;
  const seen = { ok: 0, unavailable: 0, other: [] as string[], slowest: 0 };
  const loops = paths.map(async (path) => {
    while (running) {
      const started = Date.now();
      const status = await request.get(path, { maxRedirects: 0, timeout: 30_000 }).then(
        (r) => r.status(),
        (e: Error) => e.message,
      );
      seen.slowest = Math.max(seen.slowest, Date.now() - started);
      if (status === 200) seen.ok++;
      else if (status === 503) seen.unavailable++;
      else seen.other.push(`${path}: ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return seen;
    },
  };
}

/** Whether `pid` is `ancestor` or one of its descendants (so only this test's processes are killed). */
function isDescendant(pid: number, ancestor: number): boolean {
  for (let current = pid, depth = 0; current > 1 && depth < 20; depth++) {
    if (current === ancestor) return true;
    try {
      current = Number(readFileSync(`/proc/${current}/stat`, "utf8").split(") ")[1].split(" ")[1]);
    } catch {
      return false;
    }
  }
  return false;
}
