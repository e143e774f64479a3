// npm run bench:portability — a customer of 1 000 000 rows over the 32 sample tables
// (BENCH_ROWS=5000000 for five million):
// (1) export and restore throughput, of a plain and of a gzipped archive, each as a ratio to a
//     raw COPY of the same rows in the same run: `COPY (select … where tenant_id = …) TO STDOUT`
//     into nowhere, and `COPY … FROM STDIN` of the archive's files into the same tables for a
//     new customer, rolled back (target ≥ 0.7×);
// (2) the peak RSS of each, run in a process of its own (portability-child.ts) so that nothing
//     of the bench's own work counts (target flat: < 150 MB at 1 M and 5 M);
// (3) the erase's time, and the longest wait of a writer for another customer meanwhile
//     (inserts and updates every 10 ms; target < 100 ms).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import * as tar from "tar";
import { startWriter } from "../../lib/adoption/test/writer";
import { runAdoption } from "../../lib/adoption/run";
import { generateCustomerId, LEGACY_CUSTOMER_ID } from "../../lib/customers/ids";
import { eraseCustomer } from "../../lib/portability/erase";
import type { Manifest } from "../../lib/portability/archive";
import { exportCustomer } from "../../lib/portability/export";
import { withOwnerClient } from "../owner";
import { generateSample } from "../sample/generate";
import { withBenchDatabase } from "./database";
import { ratio, timed } from "./stats";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);

const child = promisify(execFile);

/** One operation in a process of its own (portability-child.ts): its time and RSS. */
async function inChild(
  env: Record<string, string>,
): Promise<{ ms: number; rssBefore: number; rssPeak: number }> {
  const { stdout } = await child(
    process.execPath,
    [
      "--conditions=react-server",
      "--import",
      "tsx",
      path.join(import.meta.dirname, "portability-child.ts"),
    ],
    { env: { ...process.env, ...env }, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const seconds = (x: number) => `${(x / 1000).toFixed(2)} s`;

await withBenchDatabase("portability", { owner: 2, app: 2 }, async ({ database }) => {
  const url = database.ownerUrl;
  console.log(`Generating the sample at ${ROWS.toLocaleString("en")} rows and adopting it …`);
  await generateSample(url, { rows: ROWS });
  const adopted = await runAdoption(url, { schema: "app" });
  if (!adopted.ok) throw new Error(adopted.instructions);
  await withOwnerClient(url, (client) => client.query("vacuum analyze"));
  const folder = await mkdtemp(path.join(tmpdir(), "tenantry-bench-portability-"));
  try {
    const archive = path.join(folder, "a.tar");
    const gzArchive = path.join(folder, "a.tar.gz");
    const out = { BENCH_URL: url, BENCH_CUSTOMER: LEGACY_CUSTOMER_ID };
    // The baselines out, before and after the exports: the faster counts.
    const rawOutFirst = await inChild({ ...out, BENCH_OP: "copy-out" });
    const exported = await inChild({ ...out, BENCH_OP: "export", BENCH_FILE: archive });
    const exportedGz = await inChild({ ...out, BENCH_OP: "export", BENCH_FILE: gzArchive });
    const rawOutSecond = await inChild({ ...out, BENCH_OP: "copy-out" });
    const rawOut = rawOutFirst.ms < rawOutSecond.ms ? rawOutFirst : rawOutSecond;

    const unpacked = await mkdtemp(path.join(folder, "unpacked-"));
    await tar.x({ file: archive, cwd: unpacked });
    const manifest: Manifest = JSON.parse(
      await readFile(path.join(unpacked, "manifest.json"), "utf8"),
    );
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    const rawIn = await inChild({ BENCH_URL: url, BENCH_OP: "copy-in", BENCH_DIR: unpacked });
    const C = generateCustomerId();
    const restore = { BENCH_URL: url, BENCH_OP: "restore" };
    const restored = await inChild({ ...restore, BENCH_FILE: archive, BENCH_AS: C });
    const restoredGz = await inChild({
      ...restore,
      BENCH_FILE: gzArchive,
      BENCH_AS: generateCustomerId(),
    });

    // The erase of C, while a writer works for another customer (LEGACY001).
    await withOwnerClient(url, async (client) => {
      await client.query("select set_config('app.tenant_id', $1, false)", [C]);
      await client.query("update control.customers set status = 'offboarding' where id = $1", [C]);
    });
    await exportCustomer(url, C, path.join(folder, "c.tar.gz"), { by: "bench" });
    const writer = startWriter(url, LEGACY_CUSTOMER_ID, { asTenant: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const eraseMs = await timed(() => eraseCustomer(url, C, { by: "bench" }));
    const wrote = await writer.stop();
    if (wrote.errors.length) throw new Error(`the writer failed: ${wrote.errors[0]}`);

    console.log(
      `\nbench:portability — a customer of ${rows.toLocaleString("en")} rows in ${manifest.tables.length} tables\n`,
    );
    const line = (
      what: string,
      run: { ms: number; rssBefore: number; rssPeak: number },
      raw: number,
    ) =>
      console.log(
        `${what}: ${seconds(run.ms)} (raw COPY: ${seconds(raw)}) → throughput ${ratio(raw / run.ms)} raw (target ≥ 0.7×); RSS ${mb(run.rssBefore)} before, peak ${mb(run.rssPeak)}`,
      );
    line("Raw COPY out (the baseline)", rawOut, rawOut.ms);
    line("Export, plain tar (the default)", exported, rawOut.ms);
    line("Export, gzipped (.tar.gz)", exportedGz, rawOut.ms);
    line("Raw COPY in (the baseline)", rawIn, rawIn.ms);
    line("Restore as another customer, verified, from the plain tar", restored, rawIn.ms);
    line("Restore as another customer, verified, from the .tar.gz", restoredGz, rawIn.ms);
    console.log(
      `(each in a process of its own; peak RSS target: flat, under 150 MB, at 1 M and 5 M rows)`,
    );
    console.log(
      `Erase: ${seconds(eraseMs)}; a writer for another customer meanwhile: longest wait ${wrote.longestMs.toFixed(1)} ms over ${wrote.statements} statements (target < 100 ms)`,
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
