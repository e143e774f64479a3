import "server-only";
import { appIsolationReport, describeFailures } from "@/db/guard";
import { twoFactorKeyProblem } from "@/lib/auth/two-factor";

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

/** Exits the server process when users have two-factor on and the key to their secrets is not here. */
export async function refuseWithoutTwoFactorKey(): Promise<void> {
  const problem = await twoFactorKeyProblem();
  if (problem) {
    console.error(`Tenantry refuses to serve: ${problem}`);
    process.exit(1);
  }
}
