import "server-only";
import { appIsolationReport, describeFailures } from "@/db/guard";

/** Exits the server process with a clear message unless every isolation check passes. */
export async function refuseUnlessIsolated(): Promise<void> {
  let report;
  try {
    report = await appIsolationReport();
  } catch (error) {
    console.error(`Tenantry cannot reach its database: ${(error as Error).message}`);
    process.exit(1);
  }
  if (!report.ok) {
    console.error(
      `Tenantry refuses to serve: tenant isolation is not in force.\n${describeFailures(report)}`,
    );
    process.exit(1);
  }
}
