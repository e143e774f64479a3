// One operation of bench:portability in a process of its own, so that its time and peak RSS are
// its own (not what the bench's data generation left on the heap), and the baselines start as
// cold as what they are compared with. Prints one line of JSON: the operation's time, and the
// RSS before it and at its peak.
//   BENCH_OP=export    BENCH_URL BENCH_CUSTOMER BENCH_FILE
//   BENCH_OP=restore   BENCH_URL BENCH_FILE BENCH_AS
//   BENCH_OP=copy-out  BENCH_URL BENCH_CUSTOMER   the raw COPY of the customer's rows, into nowhere
//   BENCH_OP=copy-in   BENCH_URL BENCH_DIR        an unpacked archive's files by raw COPY, for a
//                                                 new customer, rolled back
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { generateCustomerId } from "../../lib/customers/ids";
import type { Manifest } from "../../lib/portability/archive";
import { exportCustomer } from "../../lib/portability/export";
import { restoreCustomer } from "../../lib/portability/restore";
import { columnList, customerTables, qualifiedName } from "../../lib/portability/tables";
import { copyIn, copyOut, nowhere } from "../copy";
import { withOwnerClient } from "../owner";
import { timed } from "./stats";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env("BENCH_URL");

const copyOutRaw = () =>
  withOwnerClient(url, async (client) => {
    for (const t of await customerTables(client))
      await copyOut(
        client,
        `select ${columnList(t.columns)} from ${qualifiedName(t)} where tenant_id = '${env("BENCH_CUSTOMER")}'`,
        nowhere(),
      );
  });

async function copyInRaw() {
  const folder = env("BENCH_DIR");
  const manifest: Manifest = JSON.parse(await readFile(path.join(folder, "manifest.json"), "utf8"));
  await withOwnerClient(url, async (client) => {
    await client.query("begin");
    // The column's default gives every row the new customer.
    await client.query("select set_config('app.tenant_id', $1, true)", [generateCustomerId()]);
    for (const t of manifest.tables)
      await copyIn(
        client,
        `${qualifiedName(t)} (${columnList(t.columns)})`,
        createReadStream(path.join(folder, t.file)),
      );
    await client.query("rollback");
  });
}

const operations: Record<string, () => Promise<unknown>> = {
  export: () => exportCustomer(url, env("BENCH_CUSTOMER"), env("BENCH_FILE"), { by: "bench" }),
  restore: () => restoreCustomer(url, env("BENCH_FILE"), { by: "bench", as: env("BENCH_AS") }),
  "copy-out": copyOutRaw,
  "copy-in": copyInRaw,
};

const before = process.memoryUsage().rss;
const ms = await timed(operations[env("BENCH_OP")]);
// maxRSS is in kilobytes.
console.log(
  JSON.stringify({ ms, rssBefore: before, rssPeak: process.resourceUsage().maxRSS * 1024 }),
);
