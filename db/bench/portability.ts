// npm run bench:portability — a customer of 1 000 000 rows over the 32 sample tables
// (BENCH_ROWS=5000000 for five million):
// (1) export and restore throughput, each as a ratio to a raw COPY of the same rows in the same
//     run: `COPY (select … where tenant_id = …) TO STDOUT` into nowhere, and `COPY … FROM STDIN`
//     of the archive's files into the same tables for a new customer, rolled back (target ≥ 0.7×);
// (2) the process's peak RSS while exporting and restoring (target flat: < 150 MB at 1 M and 5 M);
// (3) the erase's time, and the longest wait of a writer for another customer meanwhile
//     (inserts and updates every 10 ms; target < 100 ms).
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import * as tar from "tar";
import { startWriter } from "../../lib/adoption/test/writer";
import { runAdoption } from "../../lib/adoption/run";
import { generateCustomerId, LEGACY_CUSTOMER_ID } from "../../lib/customers/ids";
import { eraseCustomer } from "../../lib/portability/erase";
import { exportCustomer } from "../../lib/portability/export";
import { restoreCustomer } from "../../lib/portability/restore";
import { columnList, customerTables, qualifiedName } from "../../lib/portability/tables";
import { copyIn, copyOut } from "../copy";
import { withOwnerClient } from "../owner";
import { generateSample } from "../sample/generate";
import { withBenchDatabase } from "./database";
import { ratio, timed } from "./stats";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);

/** The peak RSS while `work` runs, sampled every 20 ms. */
async function peakRss(work: () => Promise<unknown>): Promise<number> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().rss);
}
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const seconds = (x: number) => `${(x / 1000).toFixed(2)} s`;
const nowhere = () => new Writable({ write: (_c, _e, next) => next() });

await withBenchDatabase("portability", { owner: 2, app: 2 }, async ({ database }) => {
  const url = database.ownerUrl;
  console.log(`Generating the sample at ${ROWS.toLocaleString("en")} rows and adopting it …`);
  await generateSample(url, { rows: ROWS });
  const adopted = await runAdoption(url, { schema: "app" });
  if (!adopted.ok) throw new Error(adopted.instructions);
  await withOwnerClient(url, (client) => client.query("vacuum analyze"));
  const folder = await mkdtemp(path.join(tmpdir(), "tenantry-bench-portability-"));
  try {
    const archive = path.join(folder, "a.tar.gz");
    const tables = await withOwnerClient(url, (client) => customerTables(client));

    // The baseline out: the same rows by raw COPY, into nowhere.
    const rawOut = await timed(() =>
      withOwnerClient(url, async (client) => {
        for (const t of tables)
          await copyOut(
            client,
            `select ${columnList(t.columns)} from ${qualifiedName(t)} where tenant_id = '${LEGACY_CUSTOMER_ID}'`,
            nowhere(),
          );
      }),
    );
    let manifest!: Awaited<ReturnType<typeof exportCustomer>>;
    let exportMs = 0;
    const exportRss = await peakRss(async () => {
      exportMs = await timed(async () => {
        manifest = await exportCustomer(url, LEGACY_CUSTOMER_ID, archive, { by: "bench" });
      });
    });
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);

    // The baseline in: the archive's files by raw COPY into the same tables, as the owner for a
    // new customer (the column's default gives it), in a transaction rolled back.
    const unpacked = await mkdtemp(path.join(folder, "unpacked-"));
    await tar.x({ file: archive, cwd: unpacked });
    const rawIn = await timed(() =>
      withOwnerClient(url, async (client) => {
        await client.query("begin");
        await client.query("select set_config('app.tenant_id', $1, true)", [generateCustomerId()]);
        for (const t of manifest.tables)
          await copyIn(
            client,
            `${qualifiedName(t)} (${columnList(t.columns)})`,
            createReadStream(path.join(unpacked, t.file)),
          );
        await client.query("rollback");
      }),
    );
    const C = generateCustomerId();
    let restoreMs = 0;
    const restoreRss = await peakRss(async () => {
      restoreMs = await timed(() => restoreCustomer(url, archive, { by: "bench", as: C }));
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
    console.log(
      `Export: ${seconds(exportMs)} (raw COPY out: ${seconds(rawOut)}) → throughput ${ratio(rawOut / exportMs)} raw (target ≥ 0.7×); peak RSS ${mb(exportRss)}`,
    );
    console.log(
      `Restore as another customer, verified: ${seconds(restoreMs)} (raw COPY in: ${seconds(rawIn)}) → throughput ${ratio(rawIn / restoreMs)} raw (target ≥ 0.7×); peak RSS ${mb(restoreRss)}`,
    );
    console.log(`(peak RSS target: flat, under 150 MB)`);
    console.log(
      `Erase: ${seconds(eraseMs)}; a writer for another customer meanwhile: longest wait ${wrote.longestMs.toFixed(1)} ms over ${wrote.statements} statements (target < 100 ms)`,
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
