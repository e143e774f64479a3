// npm run usage -- snapshot | reconcile
// snapshot: takes a usage snapshot of every customer of the database in DATABASE_URL now.
// reconcile: puts the row counters on the customer tables that lack them, compares every count
// with an exact one on every registered database, mends and prints any drift.
import { parseArgs } from "node:util";
import { ownerDatabaseUrl } from "@/db/env";
import { closeDatabase } from "@/db/tenant";
import { describeReconcile, reconcileCounts } from "./reconcile";
import { takeSnapshot } from "./snapshot";

const { positionals } = parseArgs({ allowPositionals: true, options: {} });
const [command] = positionals;
try {
  if (positionals.length !== 1 || !["snapshot", "reconcile"].includes(command)) {
    console.error("Usage: npm run usage -- snapshot | reconcile");
    process.exitCode = 2;
  } else if (command === "reconcile") {
    const ownerUrl = ownerDatabaseUrl();
    if (!ownerUrl) throw new Error("DATABASE_URL is not set: the reconcile runs as the owner.");
    console.log(describeReconcile(await reconcileCounts(ownerUrl)).join("\n"));
  } else {
    const result = await takeSnapshot("command");
    console.log(
      result.skipped
        ? "Another snapshot is running; this one skipped."
        : `Snapshot taken: ${result.figures} figures for ${result.customers} customers (${result.changed} changed, written), ${result.scopedTables} tenant-scoped data-plane tables, in ${result.ms.toFixed(0)} ms.`,
    );
  }
} catch (error) {
  console.error(`The ${command} failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
