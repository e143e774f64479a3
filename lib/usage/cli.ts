// npm run usage -- snapshot
// Takes a usage snapshot of every customer of the database in DATABASE_URL now.
import { parseArgs } from "node:util";
import { closeDatabase } from "@/db/tenant";
import { takeSnapshot } from "./snapshot";

const { positionals } = parseArgs({ allowPositionals: true, options: {} });
try {
  if (positionals.length !== 1 || positionals[0] !== "snapshot") {
    console.error("Usage: npm run usage -- snapshot");
    process.exitCode = 2;
  } else {
    const result = await takeSnapshot("command");
    console.log(
      result.skipped
        ? "Another snapshot is running; this one skipped."
        : `Snapshot taken: ${result.figures} figures for ${result.customers} customers, ${result.scopedTables} tenant-scoped data-plane tables, in ${result.ms.toFixed(0)} ms.`,
    );
  }
} catch (error) {
  console.error(`The snapshot failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
