// kill -9 in the middle of long work (issue #20): an adoption run, a usage snapshot and an export,
// each in a process of its own, stopped by a held lock part-way and killed there with SIGKILL —
// nothing of it can clean up. Then, as after a restart: the run is recorded failed (or left no
// record at all), the next run goes through, nothing is left behind (no invalid index, no half
// archive), the audit chains verify and the isolation guard passes. (A move's SIGKILL at each of
// its phases is lib/placement/move.test.ts's.)
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appIsolationReport } from "@/db/guard";
import { generateSample } from "@/db/sample/generate";
import { freshTestDatabase } from "@/db/test/fixture";
import { runAdoption } from "../adoption/run";
import { verifyAuditChain } from "../audit/chain";
import { LEGACY_CUSTOMER_ID } from "../customers/ids";
import { exportCustomer } from "../portability/export";
import { JOB_STALE_SECONDS } from "../portability/jobs";
import { takeSnapshot } from "../usage/snapshot";
import { spawnScript } from "@/db/test/child";

const db = freshTestDatabase();
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), "tenantry-kill-"));
  await generateSample(db.database.ownerUrl, { rows: 2_000 });
}, 60_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/**
 * Runs `operation` in a child process while this test holds `table` locked, waits until the
 * child's work waits for that lock, and kills it there; then lets the lock go and waits until
 * the killed process's backend has ended (its transaction rolled back).
 */
async function killedMidway(operation: string, table: string, env: Record<string, string> = {}) {
  const holder = await db.owner.connect();
  await holder.query("begin");
  await holder.query(`lock table ${table} in access exclusive mode`);
  const child = spawnScript(path.join(import.meta.dirname, "test", "operation-child.ts"), {
    DATABASE_URL: db.database.ownerUrl,
    APP_DATABASE_URL: db.database.appUrl,
    OPERATION: operation,
    ...env,
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  try {
    const waiting = async () =>
      (
        await db.owner.query(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        )
      ).rows[0].n as number;
    await expect
      .poll(
        async () => {
          if (child.exitCode !== null) throw new Error(`${operation} ended first: ${output}`);
          return waiting();
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBeGreaterThan(0);
    child.kill("SIGKILL");
    await once(child, "exit");
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await holder.query("rollback");
    holder.release();
  }
  // The killed process's backend gets its lock, finds its client gone, and rolls back.
  await expect
    .poll(
      async () =>
        (
          await db.owner.query(
            `select count(*)::int as n from pg_stat_activity
              where datname = current_database() and pid <> pg_backend_pid()
                and state in ('active', 'idle in transaction', 'idle in transaction (aborted)')`,
          )
        ).rows[0].n,
      { timeout: 30_000, interval: 100 },
    )
    .toBe(0);
  return output;
}

/** Nothing left behind that a guard or a later run would trip on. */
async function nothingLeftBehind() {
  const { rows: invalid } = await db.owner.query(
    "select indexrelid::regclass::text as name from pg_index where not indisvalid",
  );
  expect(invalid).toEqual([]);
  const report = await appIsolationReport();
  expect(report.ok, JSON.stringify(report.checks.filter((c) => !c.ok))).toBe(true);
  const chain = await verifyAuditChain();
  expect(chain.ok).toBe(true);
}

describe("kill -9 part-way", () => {
  it("through an adoption run: recorded failed as interrupted, the next run completes it", async () => {
    await killedMidway("adopt", "app.work_order_lines");
    const { rows: cut } = await db.owner.query(
      "select id, status from control.adoption_runs order by started_at",
    );
    expect(cut).toEqual([{ id: expect.any(String), status: "running" }]);

    const again = await runAdoption(db.database.ownerUrl, { schema: "app" });
    expect(again.ok, again.ok ? "" : again.instructions).toBe(true);
    const { rows: runs } = await db.owner.query(
      "select status, error from control.adoption_runs order by started_at",
    );
    expect(runs).toEqual([
      {
        status: "failed",
        error: expect.stringMatching(/^interrupted: the process running it stopped/),
      },
      { status: "succeeded", error: null },
    ]);
    await nothingLeftBehind();
  }, 120_000);

  it("through a usage snapshot: nothing of it recorded, the next one whole", async () => {
    const count = async () =>
      (await db.owner.query("select count(*)::int as n from control.usage_snapshots")).rows[0]
        .n as number;
    const runs = async () =>
      (await db.owner.query("select count(*)::int as n from control.usage_runs")).rows[0]
        .n as number;
    const [snapshotsBefore, runsBefore] = [await count(), await runs()];
    await killedMidway("snapshot", "app.work_orders");
    expect([await count(), await runs()]).toEqual([snapshotsBefore, runsBefore]);

    const result = await takeSnapshot("command");
    expect(result).toMatchObject({ customers: expect.any(Number) });
    expect(await runs()).toBe(runsBefore + 1);
    expect(await count()).toBeGreaterThan(snapshotsBefore);
    await nothingLeftBehind();
  }, 120_000);

  it("through an export: no half archive under its name, the job recorded failed once stale, the next export whole", async () => {
    const file = path.join(folder, "legacy.tar.gz");
    await killedMidway("export", "app.work_orders", { CUSTOMER: LEGACY_CUSTOMER_ID, FILE: file });
    expect(existsSync(file)).toBe(false);
    // What it had written is under a name of its process's, not the archive's.
    expect(readdirSync(folder).sort()).toEqual([
      expect.stringMatching(/^legacy\.tar\.gz\.\d+\.partial$/),
      expect.stringMatching(/^legacy\.tar\.gz\.\d+\.tar\.partial$/),
    ]);
    const { rows: jobs } = await db.owner.query(
      "select id, status from control.data_jobs where kind = 'export'",
    );
    expect(jobs).toEqual([{ id: expect.any(String), status: "running" }]);
    // Its heartbeat stopped with it; as JOB_STALE_SECONDS pass, the job goes stale.
    await db.owner.query(
      "update control.data_jobs set updated_at = now() - make_interval(secs => $1 + 1) where id = $2",
      [JOB_STALE_SECONDS, jobs[0].id],
    );

    const manifest = await exportCustomer(db.database.ownerUrl, LEGACY_CUSTOMER_ID, file, {
      by: "test",
    });
    expect(manifest.tables.length).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(true);
    // The killed export's partial file went with the next export into the folder.
    expect(readdirSync(folder)).toEqual(["legacy.tar.gz"]);
    const { rows: after } = await db.owner.query(
      "select status, error from control.data_jobs where kind = 'export' order by started_at",
    );
    expect(after).toEqual([
      { status: "failed", error: expect.stringMatching(/^interrupted/) },
      { status: "succeeded", error: null },
    ]);
    await nothingLeftBehind();
  }, 120_000);
});
