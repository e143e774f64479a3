// Moving a customer between PostgreSQL servers (issue #16): the primary on the test run's server,
// a dedicated database on a second server started here (embedded PostgreSQL 18). A customer moved
// while the workload writes for it and for another loses no write and doubles none, the other is
// untouched, and the freeze is measured; after the flip the source refuses a stale route's write
// and the data door follows the flip; a failure at any phase before the flip leaves the source as
// it was and nothing on the target.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endDatabasePools } from "@/db/databases";
import { startEmbeddedServer, type EmbeddedServer } from "@/db/embedded";
import { withOwnerClient } from "@/db/owner";
import { cachedPlacement, forgetPlacements } from "@/db/placement";
import { generateSample } from "@/db/sample/generate";
import { freshTestDatabase, insertCustomers } from "@/db/test/fixture";
import { freePort } from "@/db/test/ports";
import { withCustomerData, withTenant } from "@/db/tenant";
import { runAdoption } from "../adoption/run";
import { takeSnapshot } from "../usage/snapshot";
import { generateCustomerId, LEGACY_CUSTOMER_ID } from "../customers/ids";
import { addDatabase } from "../databases/registry";
import { syncDatabase } from "../databases/sync";
import { eraseCustomer } from "../portability/erase";
import { exportCustomer, readTable } from "../portability/export";
import { restoreCustomer } from "../portability/restore";
import { customerTables } from "../portability/tables";
import { moveCustomer, phasesOf, resumeMoves, type MovePhase } from "./move";
import { startWorkload } from "./workload";

const db = freshTestDatabase();
const primary = () => db.database.ownerUrl;
const A = LEGACY_CUSTOMER_ID;
let B: string;
let second: EmbeddedServer;
let dataDir: string;
const VAR = "TENANTRY_TEST_MOVE_TARGET";

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "tenantry-move-test-"));
  second = await startEmbeddedServer({ dataDir, port: await freePort() });
  process.env[VAR] = second.ownerUrl;
  process.env[`${VAR}_APP`] = second.appUrl;
  await generateSample(primary(), { rows: 2_000 });
  const adopted = await runAdoption(primary(), { schema: "app" });
  if (!adopted.ok) throw new Error(adopted.instructions);
  const file = path.join(dataDir, "a.tar");
  await exportCustomer(primary(), A, file, { by: "test" });
  [B] = await insertCustomers(db.owner, [generateCustomerId()]);
  await restoreCustomer(primary(), file, { by: "test", as: B, replace: true });
  await addDatabase(primary(), { name: "dedicated-1", envVar: VAR, kind: "dedicated" });
  await syncDatabase(primary(), second.ownerUrl, { appPassword: second.appPassword });
}, 180_000);

afterAll(async () => {
  forgetPlacements();
  await endDatabasePools();
  await second?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Each customer table's rows and checksum for `customer` on a database, read by its owner. */
function contents(ownerUrl: string, customer: string) {
  return withOwnerClient(ownerUrl, async (client) => {
    const result: Record<string, { rows: number; checksum: string }> = {};
    for (const t of await customerTables(client))
      result[`${t.schema}.${t.table}`] = await readTable(client, t, {
        where: `tenant_id = '${customer}'`,
      });
    return result;
  });
}
const total = (c: Record<string, { rows: number }>) =>
  Object.values(c).reduce((n, t) => n + t.rows, 0);
const withoutLog = (c: Record<string, { rows: number; checksum: string }>) =>
  Object.fromEntries(Object.entries(c).filter(([t]) => t !== "app.sync_log"));

async function workloadRows(ownerUrl: string, customer: string): Promise<number[]> {
  return withOwnerClient(ownerUrl, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      "select entity_id::int as n from app.sync_log where tenant_id = $1 and entity = 'workload' order by 1",
      [customer],
    );
    return rows.map((r) => r.n);
  });
}

async function placementOf(customer: string) {
  const { rows } = await db.owner.query("select database from control.customers where id = $1", [
    customer,
  ]);
  return rows[0].database as string;
}

/** Starts a move in a child process, waits until it reaches `phase`, and kills it there. */
async function killedAt(customer: string, phase: MovePhase) {
  const child = spawn(
    process.execPath,
    [
      "--conditions=react-server",
      "--import",
      "tsx",
      path.join(import.meta.dirname, "test", "move-child.ts"),
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: primary(),
        MOVE_CUSTOMER: customer,
        MOVE_TO: "dedicated-1",
        MOVE_PAUSE_AT: phase,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes(`paused at ${phase}`)) resolve();
    });
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("exit", (code) =>
      reject(new Error(`the move exited (${code}) before ${phase}: ${output}`)),
    );
  });
  child.kill("SIGKILL");
  await once(child, "exit");
}

describe("a move", () => {
  it("fails at any phase before the flip leaving the source as it was and nothing on the target", async () => {
    const before = await contents(primary(), B);
    const offline = phasesOf("offline");
    for (const phase of offline.slice(0, offline.indexOf("flip") + 1)) {
      await expect(
        moveCustomer(primary(), B, "dedicated-1", { by: "test", failAt: phase, mode: "offline" }),
      ).rejects.toThrow(`a failure injected at ${phase}`);
      expect(await contents(primary(), B)).toEqual(before);
      expect(total(await contents(second.ownerUrl, B))).toBe(0);
      expect(await placementOf(B)).toBe("primary");
      const { rows: held } = await db.owner.query("select customer_id from placement.held");
      expect(held).toEqual([]);
      const { rows: moves } = await db.owner.query(
        "select status, phase from control.moves where tenant_id = $1 order by started_at desc limit 1",
        [B],
      );
      expect(moves[0]).toEqual({ status: "failed", phase });
    }
  });

  it("moves a customer while the workload writes for it and another: no write lost or doubled, the other untouched", async () => {
    const beforeA = await contents(primary(), A);
    const beforeB = await contents(primary(), B);
    const workload = startWorkload({ customers: [A, B], rate: 100 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const moved = await moveCustomer(primary(), A, "dedicated-1", { by: "test" });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const report = await workload.stop();

    expect(report.errors).toEqual([]);
    expect(moved).toMatchObject({ source: "primary", target: "dedicated-1" });
    expect(moved.freezeMs).toBeGreaterThan(0);
    expect(await placementOf(A)).toBe("dedicated-1");
    // Every write the database acknowledged for A is on the target, once; none is left behind.
    const acknowledgedA = report.acknowledged.get(A)!;
    expect(acknowledgedA.length).toBeGreaterThan(10);
    expect(await workloadRows(second.ownerUrl, A)).toEqual(acknowledgedA);
    expect(total(await contents(primary(), A))).toBe(0);
    expect(withoutLog(await contents(second.ownerUrl, A))).toEqual(withoutLog(beforeA));
    // B stays on the primary with its rows and every one of its writes; nothing of it moved.
    expect(await workloadRows(primary(), B)).toEqual(report.acknowledged.get(B));
    expect(withoutLog(await contents(primary(), B))).toEqual(withoutLog(beforeB));
    expect(total(await contents(second.ownerUrl, B))).toBe(0);
  });

  it("has its usage counted where it now lives", async () => {
    const result = await takeSnapshot("command");
    if (result.skipped) throw new Error("the snapshot was skipped");
    const { rows } = await db.owner.query<{ value: string }>(
      "select value from control.usage_snapshots where run_id = $1 and tenant_id = $2 and metric = 'rows.total'",
      [result.runId, A],
    );
    expect(Number(rows[0].value)).toBe(total(await contents(second.ownerUrl, A)));
  });

  it("after the flip, the source refuses a write for the customer from a stale route, and the data door follows", async () => {
    const stale = await withTenant({ tenantId: A }, (tx) =>
      tx.execute(sql`insert into app.sync_log (entity, entity_id, at) values ('stale', 1, now())`),
    ).then(
      () => "written",
      (e: Error) => ((e.cause as Error | undefined) ?? e).message,
    );
    expect(stale).toBe(`customer ${A} has moved to another database`);
    // A cached placement that is out of date: the door learns from the source and goes on.
    await cachedPlacement(A, true, async () => ({ name: "primary", envVar: "DATABASE_URL" }));
    const { rows } = await withCustomerData(
      { tenantId: A },
      (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from app.sync_log`),
      { readOnly: true },
    );
    const onTarget = await withOwnerClient(second.ownerUrl, async (client) =>
      client.query<{ n: number }>(
        "select count(*)::int as n from app.sync_log where tenant_id = $1",
        [A],
      ),
    );
    expect(rows[0].n).toBe(onTarget.rows[0].n);
  });
});

describe("an online move", () => {
  /** What is left of replication: slots and publications on the source, subscriptions on the target. */
  async function replicationLeft() {
    const onSecond = await withOwnerClient(second.ownerUrl, (c) =>
      c.query<{ n: number }>(
        "select (select count(*)::int from pg_replication_slots) + (select count(*)::int from pg_publication) as n",
      ),
    );
    const { rows } = await db.owner.query<{ n: number }>(
      "select count(*)::int as n from pg_subscription",
    );
    return onSecond.rows[0].n + rows[0].n;
  }
  const clearWorkload = (ownerUrl: string) =>
    withOwnerClient(ownerUrl, (c) => c.query("delete from app.sync_log where entity = 'workload'"));

  it("fails at catch-up leaving the source as it was, nothing on the target and no replication left", async () => {
    await moveCustomer(primary(), B, "dedicated-1", { by: "test", mode: "offline" });
    const before = await contents(second.ownerUrl, B);
    await expect(
      moveCustomer(primary(), B, "primary", { by: "test", mode: "online", failAt: "catch-up" }),
    ).rejects.toThrow("a failure injected at catch-up");
    expect(await contents(second.ownerUrl, B)).toEqual(before);
    expect(total(await contents(primary(), B))).toBe(0);
    expect(await placementOf(B)).toBe("dedicated-1");
    expect(await replicationLeft()).toBe(0);
  });

  it("moves a customer by logical replication while the workload writes for it and another on the same source: nothing lost", async () => {
    await clearWorkload(second.ownerUrl);
    const before = await contents(second.ownerUrl, B);
    const workload = startWorkload({ customers: [B, A], rate: 100 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const moved = await moveCustomer(primary(), B, "primary", { by: "test", mode: "online" });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const report = await workload.stop();

    expect(report.errors).toEqual([]);
    expect(moved).toMatchObject({ mode: "online", source: "dedicated-1", target: "primary" });
    expect(moved.freezeMs).toBeGreaterThan(0);
    expect(await placementOf(B)).toBe("primary");
    expect(await workloadRows(primary(), B)).toEqual(report.acknowledged.get(B));
    expect(withoutLog(await contents(primary(), B))).toEqual(withoutLog(before));
    expect(total(await contents(second.ownerUrl, B))).toBe(0);
    // A, writing on the same source throughout, kept every write there.
    expect(await workloadRows(second.ownerUrl, A)).toEqual(report.acknowledged.get(A));
    expect(await replicationLeft()).toBe(0);
    const { rows } = await db.owner.query(
      "select mode, status, steps from control.moves where id = $1",
      [moved.moveId],
    );
    expect(rows[0]).toMatchObject({ mode: "online", status: "succeeded" });
    expect(rows[0].steps.map((s: { phase: string }) => s.phase)).toEqual(phasesOf("online"));
  });
});

describe("a moved customer's data as a unit", () => {
  it("exports, restores and erases where the customer now lives", async () => {
    const there = await contents(second.ownerUrl, A);
    expect(total(there)).toBeGreaterThan(0);
    const file = path.join(dataDir, "a-moved.tar");
    const manifest = await exportCustomer(primary(), A, file, { by: "test" });
    expect(manifest.source.server).toMatch(/^18/);
    expect(
      Object.fromEntries(
        manifest.tables.map((t) => [
          `${t.schema}.${t.table}`,
          { rows: t.rows, checksum: t.checksum },
        ]),
      ),
    ).toEqual(there);
    await restoreCustomer(primary(), file, { by: "test", replace: true });
    expect(await contents(second.ownerUrl, A)).toEqual(there);
    expect(total(await contents(primary(), A))).toBe(0);
    await db.owner.query("update control.customers set status = 'offboarding' where id = $1", [A]);
    const certificate = await eraseCustomer(primary(), A, { by: "test" });
    expect(certificate.tables.reduce((n, t) => n + t.before, 0)).toBe(total(there));
    expect(total(await contents(second.ownerUrl, A))).toBe(0);
  });
});

describe("a move killed mid-way", () => {
  it("is rolled back by resume when killed before the flip (in copy, and in flip with the copy committed)", async () => {
    const before = await contents(primary(), B);
    for (const phase of ["copy", "flip"] as MovePhase[]) {
      await killedAt(B, phase);
      const resumed = await resumeMoves(primary());
      expect(resumed).toEqual([expect.objectContaining({ tenantId: B, outcome: "rolled back" })]);
      expect(await contents(primary(), B)).toEqual(before);
      expect(total(await contents(second.ownerUrl, B))).toBe(0);
      expect(await placementOf(B)).toBe("primary");
      const { rows: held } = await db.owner.query(
        "select customer_id from placement.held where customer_id = $1",
        [B],
      );
      expect(held).toEqual([]);
      // The killed freeze went with its connection: B's writes go through again.
      await withCustomerData({ tenantId: B }, (tx) =>
        tx.execute(
          sql`insert into app.sync_log (entity, entity_id, at) values ('after', 1, now())`,
        ),
      );
      await withCustomerData({ tenantId: B }, (tx) =>
        tx.execute(sql`delete from app.sync_log where entity = 'after'`),
      );
    }
  });

  it("is finished by resume when killed after the flip", async () => {
    const before = await contents(primary(), B);
    await killedAt(B, "cleanup");
    expect(await placementOf(B)).toBe("dedicated-1");
    expect(await resumeMoves(primary())).toEqual([
      expect.objectContaining({ tenantId: B, outcome: "finished" }),
    ]);
    expect(await contents(second.ownerUrl, B)).toEqual(before);
    expect(total(await contents(primary(), B))).toBe(0);
  });
});
