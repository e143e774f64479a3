// npm run bench:start — how long the first command takes to a healthy console, and the memory
// it takes: `npm start` on the embedded PostgreSQL in an empty data folder (first start: the
// server's files, migrations, the demo and its 50 000-row sample) and again on the same folder
// (second start), as ratios to the baseline measured in the same run: `npm start` on the local
// server with DATABASE_URL pointing at an empty database (migrations only, no demo). Each is the
// median of 3; peak memory is the RSS of the whole process group (Node, Next and PostgreSQL).
// Needs a built console (`npm run build`) and the local PostgreSQL for the baseline.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDatabase, dropDatabases } from "../test/databases";
import { freePort } from "../test/ports";
import { summarize } from "./stats";

const root = path.resolve(import.meta.dirname, "../..");

interface Sample {
  ms: number;
  peakMb: number;
}

function groupRss(pgid: number): number {
  const out = execFileSync("ps", ["-e", "-o", "pgid=,rss="], { encoding: "utf8" });
  let kb = 0;
  for (const line of out.trim().split("\n")) {
    const [group, rss] = line.trim().split(/\s+/).map(Number);
    if (group === pgid) kb += rss;
  }
  return kb / 1024;
}

async function timeStart(env: Record<string, string | undefined>): Promise<Sample> {
  const port = await freePort();
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port) };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key];
  const started = Date.now();
  const child = spawn("npm", ["start"], {
    cwd: root,
    env: merged,
    detached: true,
    stdio: "ignore",
  });
  let peakMb = 0;
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, groupRss(child.pid!))), 100);
  try {
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (child.exitCode !== null || Date.now() - started > 300_000)
        throw new Error("npm start did not become healthy");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ms = Date.now() - started;
    // Settled memory after the first requests, too.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    peakMb = Math.max(peakMb, groupRss(child.pid!));
    return { ms, peakMb };
  } finally {
    clearInterval(sampler);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid!, "SIGINT");
    await exited;
  }
}

const runs = 3;
const pgPort = await freePort();
const results: Record<"baseline" | "first" | "second", Sample[]> = {
  baseline: [],
  first: [],
  second: [],
};
for (let i = 0; i < runs; i++) {
  const name = `tenantry_bench_start_${process.pid}_${i}`;
  const database = await createDatabase(name);
  try {
    results.baseline.push(
      await timeStart({ DATABASE_URL: database.ownerUrl, APP_DATABASE_URL: database.appUrl }),
    );
  } finally {
    await dropDatabases(name);
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "tenantry-bench-start-"));
  try {
    const embedded = {
      TENANTRY_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      DATABASE_URL: undefined,
      APP_DATABASE_URL: undefined,
    };
    results.first.push(await timeStart(embedded));
    results.second.push(await timeStart(embedded));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(
    `round ${i + 1}: baseline ${results.baseline[i].ms} ms, first ${results.first[i].ms} ms, second ${results.second[i].ms} ms`,
  );
}

const base = summarize(results.baseline.map((r) => r.ms)).p50;
console.log("\nnpm start to a healthy console (median of 3), peak RSS of the process group:");
for (const [label, samples] of Object.entries(results)) {
  const ms = summarize(samples.map((r) => r.ms)).p50;
  const mb = Math.max(...samples.map((r) => r.peakMb));
  console.log(
    `  ${label.padEnd(8)} ${String(ms).padStart(6)} ms  ${(ms / base).toFixed(2)}× the baseline  peak ${mb.toFixed(0)} MB`,
  );
}
