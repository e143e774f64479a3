// npm run bench:move — one customer of 1 000 000 rows over the 32 sample tables (BENCH_ROWS)
// moved between two embedded PostgreSQL 18 servers started here (the primary's with
// wal_level=logical), online by default (BENCH_MODE=offline for the other way), while the
// workload writes 200 rows/s for it and 200 rows/s for another customer (through the data door).
// Reports:
// (1) the move's copy throughput (copy, catch-up and verify) as a ratio to a raw COPY of the
//     same rows from the source into the same tables on the target, in the same run (target ≥
//     0.7×);
// (2) the longest write freeze (target < 1 s);
// (3) lost writes: acknowledged writes of the moved customer missing on the target (target 0);
// (4) the other customer's write p95 during the move as a ratio to before it, under the same
//     workload (target ≤ 1.2×), at the copy's pace (MOVE_COPY_MB_PER_SECOND: auto unless set);
//     the move ends at the unfreeze, its old rows waiting for their grace period, so
// (5) their cleanup, confirmed afterwards, is measured on its own: its time, and the other
//     customer's write p95 during it as a ratio to before the move;
// and a control: the other customer's write p95 beside a process at nice 19 that keeps one core
// half busy and touches no database, as a ratio to before — this machine's floor for any work
// beside the servers (BENCH_TARGET_NICE, BENCH_TARGET_DIR: the target as a machine of its own).
// Part 2: 200 customers of about 500 rows (BENCH_SMALL) moved one after another: seconds per
// customer (target ≤ 0.36 s: 10 000 customers an hour). BENCH_PART=large or small runs one part.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { setPriority, tmpdir } from "node:os";
import path from "node:path";
import { from as copyFrom } from "pg-copy-streams";
import { runAdoption } from "../../lib/adoption/run";
import { generateCustomerId, LEGACY_CUSTOMER_ID } from "../../lib/customers/ids";
import { addDatabase } from "../../lib/databases/registry";
import { syncDatabase } from "../../lib/databases/sync";
import { cleanUpMove, copyPace, moveCustomer } from "../../lib/placement/move";
import { exportCustomer } from "../../lib/portability/export";
import { restoreCustomer } from "../../lib/portability/restore";
import { columnList, customerTables, qualifiedName } from "../../lib/portability/tables";
import { copyOut } from "../copy";
import { endDatabasePools } from "../databases";
import { startEmbeddedServer } from "../embedded";
import { withOwnerClient } from "../owner";
import { generateSample } from "../sample/generate";
import { freePort } from "../test/ports";
import { withBenchDatabase } from "./database";
import { ratio, summarize, timed } from "./stats";
import { startWorkloadProcess } from "./workload";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const VAR = "TENANTRY_BENCH_MOVE_TARGET";
const seconds = (x: number) => `${(x / 1000).toFixed(2)} s`;
const paceWords = () => {
  const pace = copyPace();
  return pace === "auto" ? "auto" : pace ? `${pace / 2 ** 20} MB/s` : "unlimited";
};

const MODE = process.env.BENCH_MODE === "offline" ? "offline" : "online";
// Each in a folder of its own (as root, the server's user must reach it: embedded.ts opens it).
// BENCH_TARGET_DIR: where the target's folder goes (e.g. /dev/shm), standing in for a disk of
// its own: here both servers' WAL would otherwise share one disk and its flushes.
const dataDirs = [tmpdir(), process.env.BENCH_TARGET_DIR ?? tmpdir()].map((dir) =>
  mkdtempSync(path.join(dir, "tenantry-bench-move-")),
);
const primaryServer = await startEmbeddedServer({ dataDir: dataDirs[0], port: await freePort() });
const server = await startEmbeddedServer({ dataDir: dataDirs[1], port: await freePort() });
// BENCH_TARGET_NICE: the target server's processes (and those it starts later) at a lower CPU
// priority, standing in for a machine of its own: here both servers share two cores.
const TARGET_NICE = Number(process.env.BENCH_TARGET_NICE ?? 0);
if (TARGET_NICE) {
  const postmaster = readFileSync(path.join(dataDirs[1], "postgres", "postmaster.pid"), "utf8");
  const pid = Number(postmaster.split("\n")[0]);
  const children = execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" });
  for (const p of [pid, ...children.split("\n").filter(Boolean).map(Number)])
    setPriority(p, TARGET_NICE);
}
// The bench's own database goes on the primary's server.
process.env.TEST_DATABASE_URL = primaryServer.serverUrl;
process.env.TEST_APP_PASSWORD = primaryServer.appPassword;
const PART = process.env.BENCH_PART ?? "both";
try {
  if (PART !== "small") await largeCustomer();
  if (PART !== "large") await smallCustomers();
} finally {
  await endDatabasePools();
  await server.stop();
  await primaryServer.stop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}

/** Part 2: 200 customers of about 500 rows each (BENCH_SMALL), moved one after another. */
async function smallCustomers() {
  const COUNT = Number(process.env.BENCH_SMALL ?? 200);
  const VAR2 = "TENANTRY_BENCH_MOVE_SMALL";
  await withOwnerClient(server.serverUrl, (c) => c.query("create database tenantry_small"));
  const target = new URL(server.ownerUrl);
  target.pathname = "/tenantry_small";
  const targetApp = new URL(server.appUrl);
  targetApp.pathname = "/tenantry_small";
  process.env[VAR2] = target.toString();
  process.env[`${VAR2}_APP`] = targetApp.toString();
  await withBenchDatabase("move_small", { owner: 2, app: 4 }, async ({ database }) => {
    const url = database.ownerUrl;
    await withOwnerClient(url, (c) =>
      c.query(`alter role tenantry_app password ${c.escapeLiteral(primaryServer.appPassword)}`),
    );
    console.log(`\nMaking ${COUNT} customers of about 500 rows each …`);
    await generateSample(url, { rows: 500 });
    const adopted = await runAdoption(url, { schema: "app" });
    if (!adopted.ok) throw new Error(adopted.instructions);
    const file = path.join(dataDirs[0], "small.tar");
    const manifest = await exportCustomer(url, LEGACY_CUSTOMER_ID, file, { by: "bench" });
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const id = generateCustomerId();
      await restoreCustomer(url, file, { by: "bench", as: id });
      ids.push(id);
    }
    await addDatabase(url, { name: "dedicated-1", envVar: VAR2, kind: "dedicated" });
    const each: number[] = [];
    const started = performance.now();
    for (const id of ids)
      each.push(await timed(() => moveCustomer(url, id, "dedicated-1", { by: "bench" })));
    const totalMs = performance.now() - started;
    const { p50, p95 } = summarize(each);
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    // Where a move's time goes: each phase's mean over the moves, from their records.
    const phases = await withOwnerClient(url, async (c) => {
      const { rows: steps } = await c.query<{ phase: string; ms: number }>(
        "select s->>'phase' as phase, avg((s->>'ms')::float) as ms from control.moves, jsonb_array_elements(steps) s group by 1 order by 2 desc",
      );
      return steps.map((p) => `${p.phase} ${Math.round(p.ms)} ms`).join(", ");
    });
    console.log(
      `\nbench:move — ${COUNT} customers of ${rows} rows each, moved one after another (offline: under MOVE_ONLINE_ROWS)\n`,
    );
    console.log(
      `${seconds(totalMs / COUNT)} per customer on average (p50 ${seconds(p50)}, p95 ${seconds(p95)}; the first also syncs the target; the old rows wait for their grace period) → ${Math.round((3_600_000 / totalMs) * COUNT).toLocaleString("en")} customers an hour (target ≤ 0.36 s each: 10 000 an hour)`,
    );
    console.log(`Phases, mean: ${phases}`);
  });
}

/** Part 1: one customer of BENCH_ROWS rows, moved while the workload writes. */
async function largeCustomer() {
  await withBenchDatabase("move", { owner: 2, app: 10 }, async ({ database }) => {
    const url = database.ownerUrl;
    await withOwnerClient(url, (c) =>
      c.query(`alter role tenantry_app password ${c.escapeLiteral(primaryServer.appPassword)}`),
    );
    process.env[VAR] = server.ownerUrl;
    process.env[`${VAR}_APP`] = server.appUrl;
    console.log(`Generating the sample at ${ROWS.toLocaleString("en")} rows and adopting it …`);
    await generateSample(url, { rows: ROWS });
    const adopted = await runAdoption(url, { schema: "app" });
    if (!adopted.ok) throw new Error(adopted.instructions);
    // Another customer, small, for the workload beside the moved one.
    const other = generateCustomerId();
    await withOwnerClient(url, (c) =>
      c.query(
        "insert into control.customers (id, name, contact_email, status) values ($1, 'Other', 'o@example.invalid', 'active')",
        [other],
      ),
    );
    await withOwnerClient(url, (c) => c.query("vacuum analyze"));
    await addDatabase(url, { name: "dedicated-1", envVar: VAR, kind: "dedicated" });
    await syncDatabase(url, server.ownerUrl, { appPassword: server.appPassword });

    // The baseline: the same rows by raw COPY out of the source into the same tables on the
    // target, for a customer that is then removed (a rolled-back transaction).
    const tables = await withOwnerClient(url, (c) => customerTables(c));
    const raw = await timed(() =>
      withOwnerClient(url, (source) =>
        withOwnerClient(server.ownerUrl, async (target) => {
          await target.query("begin");
          await target.query("select set_config('app.tenant_id', $1, true)", [
            generateCustomerId(),
          ]);
          for (const t of tables)
            await copyOut(
              source,
              `select ${columnList(t.columns)} from ${qualifiedName(t)} where tenant_id = '${LEGACY_CUSTOMER_ID}'`,
              target.query(
                copyFrom(`copy ${qualifiedName(t)} (${columnList(t.columns)}) from stdin`),
              ),
            );
          await target.query("rollback");
        }),
      ),
    );

    // Before the move: the same workload, for both customers, so the ratio is the move's alone;
    // after a checkpoint on each server, so the loading's is not under way in either window.
    for (const u of [url, server.ownerUrl]) await withOwnerClient(u, (c) => c.query("checkpoint"));
    // The workload runs as a process of its own, as the platform's application would.
    const workload = () => startWorkloadProcess(database, [LEGACY_CUSTOMER_ID, other], 400);
    const before = await workload();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const baseline = await before.stop();

    // A control for this machine: the same workload beside a process that touches neither
    // database, at the lowest priority, keeping one core half busy — what any work beside the
    // servers on one machine costs the source's customers, whatever the move does.
    const control = await workload();
    const burner = spawn(
      process.execPath,
      [
        "-e",
        "for (;;) { const t = Date.now(); while (Date.now() - t < 10); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); }",
      ],
      { stdio: "ignore" },
    );
    try {
      setPriority(burner.pid!, 19);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    } finally {
      burner.kill("SIGKILL");
    }
    const beside = await control.stop();

    const running = await workload();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const steps: Record<string, number> = {};
    /** When each phase began (ms since the epoch, as the workload's times are). */
    const began: [string, number][] = [];
    let phaseStarted = performance.now();
    let phase = "";
    const moved = await moveCustomer(url, LEGACY_CUSTOMER_ID, "dedicated-1", {
      by: "bench",
      mode: MODE,
      onPhase: (next) => {
        began.push([next, Date.now()]);
        if (phase) steps[phase] = performance.now() - phaseStarted;
        phase = next;
        phaseStarted = performance.now();
      },
    });
    steps[phase] = performance.now() - phaseStarted;
    began.push(["after the move", Date.now()]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const during = await running.stop();

    const acknowledged = during.acknowledged.get(LEGACY_CUSTOMER_ID)!;
    const landed = await withOwnerClient(server.ownerUrl, async (c) => {
      const { rows } = await c.query<{ n: number }>(
        "select entity_id::int as n from app.sync_log where tenant_id = $1 and entity = 'workload'",
        [LEGACY_CUSTOMER_ID],
      );
      return new Set(rows.map((r) => r.n));
    });
    const lost = acknowledged.filter((n) => !landed.has(n)).length;
    const otherBefore = summarize(baseline.writeMs.get(other)!).p95;
    const otherDuring = summarize(during.writeMs.get(other)!).p95;
    const otherBeside = summarize(beside.writeMs.get(other)!).p95;
    const movedP95 = summarize(during.writeMs.get(LEGACY_CUSTOMER_ID)!).p95;
    const copyMs =
      (steps.copy ?? 0) + (steps["catch-up"] ?? 0) + (steps.verify ?? 0) + (steps.reverify ?? 0);

    console.log(
      `\nbench:move — ${moved.rows.toLocaleString("en")} rows over ${tables.length} tables, moved ${moved.mode} between two embedded PostgreSQL 18 servers${TARGET_NICE ? ` (the target at nice ${TARGET_NICE})` : ""}${moved.mode === "online" ? `, the copy's pace ${paceWords()}` : ""}\n`,
    );
    console.log(
      `Copy${moved.mode === "online" ? ", catch-up" : ""} and verify: ${seconds(copyMs)} (raw COPY source → target: ${seconds(raw)}) → throughput ${ratio(raw / copyMs)} raw (target ≥ 0.7×)`,
    );
    console.log(
      `Phases: ${Object.entries(steps)
        .map(([p, t]) => `${p} ${seconds(t)}`)
        .join(", ")}`,
    );
    // The pace each step went at, as the move's record says it.
    const notes = await withOwnerClient(url, async (c) => {
      const { rows } = await c.query<{ phase: string; note: string }>(
        "select s->>'phase' as phase, s->>'note' as note from control.moves, jsonb_array_elements(steps) s where id = $1 and s->>'phase' in ('copy', 'verify') and s ? 'note'",
        [moved.moveId],
      );
      return rows.map((r) => `${r.phase} ${r.note}`).join("; ");
    });
    if (notes) console.log(`Pace: ${notes}`);
    console.log(
      `Longest write freeze: ${seconds(moved.freezeMs)} (target < 1 s)${moved.mode === "offline" ? "; offline, the customer's writes wait for the whole copy" : ""}`,
    );
    console.log(
      `Lost writes: ${lost} of ${acknowledged.length} acknowledged (target 0); workload errors: ${during.errors.length}`,
    );
    console.log(
      `The other customer's write p95 while the move ran: ${otherDuring.toFixed(1)} ms against ${otherBefore.toFixed(1)} ms before → ${ratio(otherDuring / otherBefore)} (target ≤ 1.2×); the moved customer's: ${movedP95.toFixed(1)} ms`,
    );
    console.log(
      `  control: beside a process at nice 19 that keeps one core half busy and touches no database, ${otherBeside.toFixed(1)} ms → ${ratio(otherBeside / otherBefore)} (this machine's floor for any work beside the servers)`,
    );
    // Where it went up: the other customer's writes by the phase they began in.
    const at = during.writeAt.get(other)!;
    const ms = during.writeMs.get(other)!;
    const byPhase = began.slice(0, -1).flatMap(([name, from], i) => {
      const times = ms.filter((_, j) => at[j] >= from && at[j] < began[i + 1][1]);
      if (!times.length) return [];
      const { p95 } = summarize(times);
      return [`${name} ${p95.toFixed(1)} ms (${ratio(p95 / otherBefore)}, ${times.length} writes)`];
    });
    console.log(`  by phase: ${byPhase.join("; ")}`);

    // The cleanup, confirmed once the move has ended (it would otherwise wait for its grace period).
    const whileCleaning = await workload();
    let cleaned = 0;
    const cleanupMs = await timed(async () => {
      cleaned = (await cleanUpMove(url, moved.moveId, { by: "bench" })).rows;
    });
    const cleaning = await whileCleaning.stop();
    const otherCleaning = summarize(cleaning.writeMs.get(other)!).p95;
    console.log(
      `Cleanup (confirmed after the move; MOVE_CLEANUP_REST=${process.env.MOVE_CLEANUP_REST ?? 1}): ${cleaned.toLocaleString("en")} old rows in ${seconds(cleanupMs)}; the other customer's write p95 meanwhile ${otherCleaning.toFixed(1)} ms → ${ratio(otherCleaning / otherBefore)} of before the move`,
    );
  });
}
