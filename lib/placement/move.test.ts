// Moving a customer between PostgreSQL servers (issue #16): the primary on the test run's server,
// a dedicated database on a second server started here (embedded PostgreSQL 18). A customer moved
// while the workload writes for it and for another loses no write and doubles none, the other is
// untouched, and the freeze is measured; after the flip the source refuses a stale route's write
// and the data door follows the flip; a failure at any phase before the flip leaves the source as
// it was and nothing on the target.
import { once } from "node:events";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { endDatabasePools } from "@/db/databases";
import { withOwnerClient } from "@/db/owner";
import { cachedPlacement, forgetPlacements } from "@/db/placement";
import { generateSample } from "@/db/sample/generate";
import { figuresAsOf, freshTestDatabase, insertCustomers } from "@/db/test/fixture";
import { startSecondServer, type SecondServer } from "@/db/test/second-server";
import { withCustomerData, withTenant } from "@/db/tenant";
import { runAdoption, runVerification } from "../adoption/run";
import { snapshotTaken } from "../usage/test/snapshot";
import { generateCustomerId, LEGACY_CUSTOMER_ID } from "../customers/ids";
import { addDatabase } from "../databases/registry";
import { syncDatabase } from "../databases/sync";
import { eraseCustomer } from "../portability/erase";
import { exportCustomer } from "../portability/export";
import { restoreCustomer } from "../portability/restore";
import { contentsOf, countedRowsOf } from "../portability/test/contents";
import {
  cancelMove,
  cleanUpDueMoves,
  cleanUpMove,
  moveCustomer,
  phasesOf,
  resumeMoves,
  type MovePhase,
} from "./move";
import { startWorkload } from "./workload";
import { spawnScript } from "@/db/test/child";

const db = freshTestDatabase();
const primary = () => db.database.ownerUrl;
const A = LEGACY_CUSTOMER_ID;
let B: string;
let second: SecondServer;
const VAR = "TENANTRY_TEST_MOVE_TARGET";

beforeAll(async () => {
  // These moves clean up at once; "a finished move's cleanup" below waits for it.
  process.env.MOVE_CLEANUP_GRACE_MINUTES = "0";
  second = await startSecondServer(VAR);
  await generateSample(primary(), { rows: 2_000 });
  const adopted = await runAdoption(primary(), { schema: "app" });
  if (!adopted.ok) throw new Error(adopted.instructions);
  const file = path.join(second.dir, "a.tar");
  await exportCustomer(primary(), A, file, { by: "test" });
  [B] = await insertCustomers(db.owner, [generateCustomerId()]);
  await restoreCustomer(primary(), file, { by: "test", as: B, replace: true });
  await addDatabase(primary(), { name: "dedicated-1", envVar: VAR, kind: "dedicated" });
  await syncDatabase(primary(), second.ownerUrl, { appPassword: second.appPassword });
}, 180_000);

/** Moves running in child processes; a failing test leaves none behind. */
const children = new Set<ReturnType<typeof spawnScript>>();

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  forgetPlacements();
  await endDatabasePools();
  await second?.stop();
});

const contents = contentsOf;
const countedRows = countedRowsOf;
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

/** Starts a move in a child process and waits until it reaches `phase`, where it hangs. */
async function pausedAt(
  customer: string,
  phase: MovePhase,
  { to = "dedicated-1", mode = "auto" }: { to?: string; mode?: string } = {},
) {
  const child = spawnScript(path.join(import.meta.dirname, "test", "move-child.ts"), {
    DATABASE_URL: primary(),
    MOVE_CUSTOMER: customer,
    MOVE_TO: to,
    MOVE_PAUSE_AT: phase,
    MOVE_MODE: mode,
  });
  children.add(child);
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
  child.removeAllListeners("exit");
  return {
    kill: async () => {
      child.kill("SIGKILL");
      await once(child, "exit");
      // The server ends the dead process's sessions a moment after its sockets close; until it
      // has, the mover's lock still says "running" and resume rightly leaves the move alone.
      await vi.waitFor(async () => expect(await moverLocks()).toBe(0), { timeout: 10_000 });
    },
  };
}

/** Sessions on the primary holding a mover's lock, which resume and roll-back ask about. */
const moverLocks = async () =>
  (
    await db.owner.query<{ n: number }>(
      "select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = hashtext('tenantry.mover')::oid",
    )
  ).rows[0].n;

/** Starts a move in a child process, waits until it reaches `phase`, and kills it there. */
async function killedAt(customer: string, phase: MovePhase) {
  await (await pausedAt(customer, phase)).kill();
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
    const result = await snapshotTaken("command");
    expect((await figuresAsOf(db.owner, result.runId, A))["rows.total"]).toBe(
      total(await contents(second.ownerUrl, A)),
    );
    // The snapshot folded the target's counters for good: no appended count is left there.
    const folded = await withOwnerClient(second.ownerUrl, (c) =>
      c.query<{ appended: number; totals: number }>(
        "select (select count(*) from tally.row_counts)::int as appended, (select count(*) from tally.row_totals)::int as totals",
      ),
    );
    expect(folded.rows[0]).toMatchObject({ appended: 0 });
    expect(folded.rows[0].totals).toBeGreaterThan(0);
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
  const clearWorkload = (ownerUrl: string) =>
    withOwnerClient(ownerUrl, (c) => c.query("delete from app.sync_log where entity = 'workload'"));

  it("fails at catch-up leaving the source as it was, nothing on the target and no replication left", async () => {
    await moveCustomer(primary(), B, "dedicated-1", { by: "test", mode: "offline" });
    const before = await contents(second.ownerUrl, B);
    // Offline, the rows went in through the target's counting triggers: counted, with no recount.
    expect(await countedRows(second.ownerUrl, B)).toBe(total(before));
    await expect(
      moveCustomer(primary(), B, "primary", { by: "test", mode: "online", failAt: "catch-up" }),
    ).rejects.toThrow("a failure injected at catch-up");
    expect(await contents(second.ownerUrl, B)).toEqual(before);
    expect(total(await contents(primary(), B))).toBe(0);
    expect(await placementOf(B)).toBe("dedicated-1");
    expect(await replicationLeft()).toBe(0);
  });

  it("fails in its copy, the slot made and its snapshot open, leaving nothing behind", async () => {
    const before = await contents(second.ownerUrl, B);
    // The target refuses the copy's rows for one table (a trigger that fires in replica mode
    // too): the failure comes mid-copy.
    await db.owner.query(`
      create function pg_temp.refuse() returns trigger language plpgsql as $$
        begin raise exception 'the target refuses the rows'; end $$;
      create trigger refuse before insert on app.sync_log for each statement execute function pg_temp.refuse();
      alter table app.sync_log enable always trigger refuse`);
    try {
      await expect(
        moveCustomer(primary(), B, "primary", { by: "test", mode: "online" }),
      ).rejects.toThrow("the target refuses the rows");
    } finally {
      await db.owner.query("drop trigger refuse on app.sync_log");
    }
    expect((await lastMove(B)).steps.at(-1)).toMatchObject({ phase: "copy", outcome: "failed" });
    expect(await contents(second.ownerUrl, B)).toEqual(before);
    expect(total(await contents(primary(), B))).toBe(0);
    expect(await placementOf(B)).toBe("dedicated-1");
    expect(await replicationLeft()).toBe(0);
  });

  it("fails its verification when the target holds other rows than the copy read, leaving nothing behind", async () => {
    const before = await contents(second.ownerUrl, B);
    // The target alters one table's rows as they arrive (a trigger that fires in replica mode
    // too): the rows verified there differ from those the copy read on the source.
    await db.owner.query(`
      create function pg_temp.alter_rows() returns trigger language plpgsql as $$
        begin new.entity := new.entity || '!'; return new; end $$;
      create trigger alter_rows before insert on app.sync_log for each row execute function pg_temp.alter_rows();
      alter table app.sync_log enable always trigger alter_rows`);
    try {
      for (const mode of ["online", "offline"] as const) {
        await expect(moveCustomer(primary(), B, "primary", { by: "test", mode })).rejects.toThrow(
          /^app\.sync_log reads \d+ rows with checksum \w+ on primary; the source has \d+ with \w+\. Nothing was moved\.$/,
        );
        expect((await lastMove(B)).steps.at(-1)).toMatchObject({
          phase: "verify",
          outcome: "failed",
        });
        expect(await contents(second.ownerUrl, B)).toEqual(before);
        expect(total(await contents(primary(), B))).toBe(0);
        expect(await placementOf(B)).toBe("dedicated-1");
        expect(await replicationLeft()).toBe(0);
      }
    } finally {
      await db.owner.query("drop trigger alter_rows on app.sync_log");
    }
  });

  it("refuses a copy pace it cannot read before it records or touches anything", async () => {
    const moves = () => db.owner.query("select count(*)::int as n from control.moves");
    const before = (await moves()).rows[0].n;
    const where = await placementOf(B);
    process.env.MOVE_COPY_MB_PER_SECOND = "fast";
    await expect(
      moveCustomer(primary(), B, where === "primary" ? "dedicated-1" : "primary", {
        by: "test",
        mode: "online",
      }).finally(() => delete process.env.MOVE_COPY_MB_PER_SECOND),
    ).rejects.toThrow(/MOVE_COPY_MB_PER_SECOND is "fast": give auto, a number/);
    expect((await moves()).rows[0].n).toBe(before);
    expect(await placementOf(B)).toBe(where);
  });

  it("moves a customer by logical replication while the workload writes for it and another on the same source: nothing lost", async () => {
    await clearWorkload(second.ownerUrl);
    const before = await contents(second.ownerUrl, B);
    const workload = startWorkload({ customers: [B, A], rate: 100 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Its copy paced, as an operator may ask: slower, the same rows.
    process.env.MOVE_COPY_MB_PER_SECOND = "0.5";
    const moved = await moveCustomer(primary(), B, "primary", {
      by: "test",
      mode: "online",
    }).finally(() => delete process.env.MOVE_COPY_MB_PER_SECOND);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const report = await workload.stop();

    expect(report.errors).toEqual([]);
    expect(moved).toMatchObject({ mode: "online", source: "dedicated-1", target: "primary" });
    expect(moved.freezeMs).toBeGreaterThan(0);
    expect(await placementOf(B)).toBe("primary");
    expect(await workloadRows(primary(), B)).toEqual(report.acknowledged.get(B));
    expect(withoutLog(await contents(primary(), B))).toEqual(withoutLog(before));
    expect(total(await contents(second.ownerUrl, B))).toBe(0);
    // Counted again after the unfreeze while B wrote on: its writes since count on top, once.
    expect(await countedRows(primary(), B)).toBe(total(await contents(primary(), B)));
    // A, writing on the same source throughout, kept every write there.
    expect(await workloadRows(second.ownerUrl, A)).toEqual(report.acknowledged.get(A));
    expect(await replicationLeft()).toBe(0);
    const { rows } = await db.owner.query(
      "select mode, status, steps from control.moves where id = $1",
      [moved.moveId],
    );
    expect(rows[0]).toMatchObject({ mode: "online", status: "succeeded" });
    expect(rows[0].steps.map((s: { phase: string }) => s.phase)).toEqual(phasesOf("online"));
    // Under the freeze only the table the workload wrote is read again; the others were
    // verified while B wrote on.
    const reverify = rows[0].steps.find((s: { phase: string }) => s.phase === "reverify");
    expect(reverify.note).toMatch(/^1 of \d+ tables written during the move$/);
    // The copy step says the pace it went at, and so does the verification, which read every
    // table back at that pace too (its figure counts only its own reads).
    const paced = /^paced at 0\.5 MB\/s: (\d+\.\d) MB\/s on average$/;
    const note = (phase: string) =>
      rows[0].steps.find((s: { phase: string }) => s.phase === phase).note;
    expect(note("copy")).toMatch(paced);
    expect(note("verify")).toMatch(paced);
    expect(Number(paced.exec(note("verify"))?.[1])).toBeLessThanOrEqual(0.5);
    const { rows: watched } = await withOwnerClient(second.ownerUrl, (c) =>
      c.query(
        "select (select count(*)::int from placement.moving) + (select count(*)::int from placement.touched) as n",
      ),
    );
    expect(watched[0].n).toBe(0);
  });
});

describe("an online move's verification", () => {
  it("reads a table the customer wrote during the copy before the freeze, not under it", async () => {
    // Online from the second server (its wal_level is logical) back to the primary.
    await moveCustomer(primary(), B, "dedicated-1", { by: "test", mode: "offline" });
    // B writes once after the copy's snapshot (at catch-up), then no more.
    const moved = await moveCustomer(primary(), B, "primary", {
      by: "test",
      mode: "online",
      onPhase: async (phase) => {
        if (phase === "catch-up")
          await withCustomerData({ tenantId: B }, (tx) =>
            tx.execute(
              sql`insert into app.sync_log (entity, entity_id, at) values ('during the copy', 1, now())`,
            ),
          );
      },
    });
    const { rows } = await db.owner.query("select steps from control.moves where id = $1", [
      moved.moveId,
    ]);
    const reverify = rows[0].steps.find((s: { phase: string }) => s.phase === "reverify");
    expect(reverify.note).toMatch(/^0 of \d+ tables written during the move$/);
    const copy = rows[0].steps.find((s: { phase: string }) => s.phase === "copy");
    expect(copy.note).toMatch(
      /^paced by the source's response time: \d+\.\d MB\/s now, \d+\.\d MB\/s on average$/,
    );
    const onTarget = await db.owner.query(
      "select 1 from app.sync_log where tenant_id = $1 and entity = 'during the copy'",
      [B],
    );
    expect(onTarget.rowCount).toBe(1);
  });
});

describe("a moved customer's data as a unit", () => {
  it("exports, restores and erases where the customer now lives", async () => {
    const there = await contents(second.ownerUrl, A);
    expect(total(there)).toBeGreaterThan(0);
    const file = path.join(second.dir, "a-moved.tar");
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
    await killedAt(B, "unfreeze");
    expect(await placementOf(B)).toBe("dedicated-1");
    expect(await resumeMoves(primary())).toEqual([
      expect.objectContaining({ tenantId: B, outcome: "finished" }),
    ]);
    expect(await contents(second.ownerUrl, B)).toEqual(before);
    expect(total(await contents(primary(), B))).toBe(0);
    expect(await countedRows(second.ownerUrl, B)).toBe(total(before));
  });
});

/** What is left of replication: slots and publications on the second server, subscriptions on the primary. */
async function replicationLeft() {
  const onSecond = await withOwnerClient(second.ownerUrl, (c) =>
    c.query<{ n: number }>(
      "select (select count(*)::int from pg_replication_slots) + (select count(*)::int from pg_publication) as n",
    ),
  );
  // pg_subscription is the whole server's: this test database's only.
  const { rows } = await db.owner.query<{ n: number }>(
    "select count(*)::int as n from pg_subscription where subdbid = (select oid from pg_database where datname = current_database())",
  );
  return onSecond.rows[0].n + rows[0].n;
}

const lastMove = async (customer: string) =>
  (
    await db.owner.query(
      "select id, status, phase, error, lag_bytes, frozen_at, cleanup_after, cleaned_at, steps, progress from control.moves where tenant_id = $1 order by started_at desc limit 1",
      [customer],
    )
  ).rows[0];

/** A write for the customer straight to the second server through the app's login (a stale route). */
const writeOnSecond = (customer: string) =>
  withOwnerClient(second.appUrl, async (c) => {
    await c.query("begin");
    try {
      await c.query("select set_config('app.tenant_id', $1, true)", [customer]);
      await c.query("set local role tenantry_tenant");
      await c.query("insert into app.sync_log (entity, entity_id, at) values ('stale', 1, now())");
      return "written";
    } catch (error) {
      return (error as Error).message;
    } finally {
      await c.query("rollback");
    }
  });

describe("an online move killed during catch-up and during cutover", () => {
  it("is rolled back by resume, refuses a second move meanwhile, and leaves no slot", async () => {
    expect(await placementOf(B)).toBe("dedicated-1");
    const before = await contents(second.ownerUrl, B);

    const catchingUp = await pausedAt(B, "catch-up", { to: "primary", mode: "online" });
    // At most MOVES_PARALLEL (1) moves run at once.
    await expect(moveCustomer(primary(), A, "primary", { by: "test" })).rejects.toThrow(
      "1 move is running already, and at most 1 run at once (MOVES_PARALLEL)",
    );
    // Resume leaves a move whose process lives alone, and says so.
    expect(await resumeMoves(primary())).toEqual([
      expect.objectContaining({ tenantId: B, outcome: "still running" }),
    ]);
    const live = await lastMove(B);
    expect(live).toMatchObject({ status: "running", phase: "catch-up" });
    expect(Number(live.lag_bytes)).toBeGreaterThanOrEqual(0);
    // The copy's progress, per table, as the move's own COPY streams reported it.
    expect(
      live.progress.every(
        (t: { rows: number; of: number; state: string }) => t.state === "done" && t.rows === t.of,
      ),
    ).toBe(true);
    await catchingUp.kill();
    expect(await resumeMoves(primary())).toEqual([
      expect.objectContaining({ tenantId: B, outcome: "rolled back" }),
    ]);
    expect(await contents(second.ownerUrl, B)).toEqual(before);
    expect(total(await contents(primary(), B))).toBe(0);
    expect(await replicationLeft()).toBe(0);

    // Killed frozen, in the cutover's verification: the roll-back button of a move whose
    // process is gone rolls it back at once.
    const cuttingOver = await pausedAt(B, "reverify", { to: "primary", mode: "online" });
    expect((await lastMove(B)).frozen_at).not.toBeNull();
    await cuttingOver.kill();
    expect(await cancelMove(primary(), (await lastMove(B)).id, "admin@example.com")).toBe(
      "rolled back",
    );
    const ended = await lastMove(B);
    expect(ended).toMatchObject({ status: "failed", frozen_at: null });
    expect(ended.error).toMatch(/^rolled back as admin@example.com asked/);
    expect(await contents(second.ownerUrl, B)).toEqual(before);
    expect(total(await contents(primary(), B))).toBe(0);
    expect(await placementOf(B)).toBe("dedicated-1");
    expect(await replicationLeft()).toBe(0);
    // The freeze went with the killed process: B writes on its database again.
    expect(await writeOnSecond(B)).toBe("written");
  });

  it("is finished by resume when killed after the flip, the rows that came by replication counted", async () => {
    const before = await contents(second.ownerUrl, B);
    await (await pausedAt(B, "unfreeze", { to: "primary", mode: "online" })).kill();
    expect(await resumeMoves(primary())).toEqual([
      expect.objectContaining({ tenantId: B, outcome: "finished" }),
    ]);
    expect(await placementOf(B)).toBe("primary");
    expect(await contents(primary(), B)).toEqual(before);
    expect(await countedRows(primary(), B)).toBe(total(before));
    // Back where the tests after this one expect B.
    await moveCustomer(primary(), B, "dedicated-1", { by: "test", mode: "offline" });
  });
});

describe("a roll-back asked for while a move runs", () => {
  it("stops the move at its next step and leaves the customer where it was", async () => {
    const before = await contents(second.ownerUrl, B);
    let answer: string | undefined;
    let moveId = "";
    await expect(
      moveCustomer(primary(), B, "primary", {
        by: "test",
        mode: "offline",
        onStart: (id) => (moveId = id),
        onPhase: async (phase) => {
          if (phase === "copy") answer = await cancelMove(primary(), moveId, "admin@example.com");
        },
      }),
    ).rejects.toThrow("rolled back as admin@example.com asked");
    expect(answer).toBe("asked");
    expect(await contents(second.ownerUrl, B)).toEqual(before);
    expect(total(await contents(primary(), B))).toBe(0);
    expect(await placementOf(B)).toBe("dedicated-1");
    await expect(cancelMove(primary(), moveId, "admin@example.com")).rejects.toThrow(
      "That move has failed already.",
    );
  });
});

describe("adoption verify across the registered databases", () => {
  it("counts the rows where customers live and names a database whose data plane is not isolated", async () => {
    expect(await placementOf(B)).toBe("dedicated-1");
    const onSecond = total(await contents(second.ownerUrl, B));
    const verified = await runVerification(primary(), { schema: "app" });
    if (!verified.ok) throw new Error(verified.instructions);
    const customers = verified.report.tables.find((t) => t.table === "customers")!;
    expect(customers.rowsPerCustomer).toContainEqual({
      tenant: B,
      rows: (await contents(second.ownerUrl, B))["app.customers"].rows,
    });
    expect(verified.report.tables.reduce((n, t) => n + t.rows, 0)).toBeGreaterThanOrEqual(onSecond);

    await withOwnerClient(second.ownerUrl, (c) =>
      c.query("alter table app.sync_log no force row level security"),
    );
    try {
      const failing = await runVerification(primary(), { schema: "app" });
      if (!failing.ok) throw new Error(failing.instructions);
      expect(failing.report.ok).toBe(false);
      expect(failing.report.tables.find((t) => t.table === "sync_log")).toMatchObject({
        state: "partial",
        problems: [
          "on dedicated-1: row-level security is not forced: the table's owner bypasses it",
        ],
      });
    } finally {
      await withOwnerClient(second.ownerUrl, (c) =>
        c.query("alter table app.sync_log force row level security"),
      );
    }
  });
});

describe("a finished move's cleanup", () => {
  it("waits for its grace period or a confirmation, the source refusing the customer's writes meanwhile", async () => {
    const before = await contents(second.ownerUrl, B);
    const moved = await moveCustomer(primary(), B, "primary", {
      by: "test",
      mode: "offline",
      graceMs: 3_600_000,
    });
    expect(await placementOf(B)).toBe("primary");
    expect(withoutLog(await contents(primary(), B))).toEqual(withoutLog(before));
    // The old rows wait on the source, departed: a stale route's write there is refused.
    expect(await contents(second.ownerUrl, B)).toEqual(before);
    expect(await writeOnSecond(B)).toBe(`customer ${B} has moved to another database`);
    const waiting = await lastMove(B);
    expect(waiting).toMatchObject({ status: "succeeded", cleaned_at: null });
    expect(waiting.cleanup_after.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(waiting.progress.every((t: { rows: number; of: number }) => t.rows === t.of)).toBe(true);
    expect(await cleanUpDueMoves(primary())).toEqual([]);

    // Confirmed: the rows go, recorded as the move's cleanup step and audited.
    expect(await cleanUpMove(primary(), moved.moveId, { by: "admin@example.com" })).toEqual({
      rows: total(before),
    });
    expect(total(await contents(second.ownerUrl, B))).toBe(0);
    const cleaned = await lastMove(B);
    expect(cleaned.cleaned_at).not.toBeNull();
    expect(cleaned.steps.at(-1)).toMatchObject({ phase: "cleanup", outcome: "ok" });
    const { rows: audit } = await db.owner.query(
      "select actor_email, details from control.audit_events where action = 'moves.cleanup' and target_id = $1",
      [moved.moveId],
    );
    expect(audit).toEqual([
      {
        actor_email: "admin@example.com",
        details: { database: "dedicated-1", rows: total(before) },
      },
    ]);
    await expect(cleanUpMove(primary(), moved.moveId, { by: "test" })).rejects.toThrow(
      "left the source",
    );

    // Its grace period over, the worker cleans it up.
    const back = await moveCustomer(primary(), B, "dedicated-1", {
      by: "test",
      mode: "offline",
      graceMs: 3_600_000,
    });
    expect(total(await contents(primary(), B))).toBe(total(before));
    await db.owner.query(
      "update control.moves set cleanup_after = now() - interval '1 second' where id = $1",
      [back.moveId],
    );
    expect(await cleanUpDueMoves(primary())).toEqual([
      { moveId: back.moveId, rows: total(before) },
    ]);
    expect(total(await contents(primary(), B))).toBe(0);

    // An erase removes the rows a move left waiting, too.
    const waitingAgain = await moveCustomer(primary(), B, "primary", {
      by: "test",
      mode: "offline",
      graceMs: 3_600_000,
    });
    expect(total(await contents(second.ownerUrl, B))).toBe(total(before));
    await db.owner.query("update control.customers set status = 'offboarding' where id = $1", [B]);
    await eraseCustomer(primary(), B, { by: "test", withoutExport: true });
    expect(total(await contents(primary(), B))).toBe(0);
    expect(total(await contents(second.ownerUrl, B))).toBe(0);
    const { rows: erasedMove } = await db.owner.query(
      "select cleaned_at from control.moves where id = $1",
      [waitingAgain.moveId],
    );
    expect(erasedMove[0].cleaned_at).not.toBeNull();
  });
});
