// npm run usage:snapshot — takes a usage snapshot of every customer now.
import { closeDatabase } from "@/db/tenant";
import { takeSnapshot } from "./snapshot";

try {
  const result = await takeSnapshot("command");
  console.log(
    result.skipped
      ? "Another snapshot is running; this one skipped."
      : `Snapshot taken: ${result.figures} figures for ${result.customers} customers, ${result.scopedTables} tenant-scoped data-plane tables, in ${result.ms.toFixed(0)} ms.`,
  );
} catch (error) {
  console.error(`The snapshot failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
