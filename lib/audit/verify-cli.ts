// npm run audit:verify — recomputes the audit hash chain of the database in DATABASE_URL and
// names the first event that does not fit. Exit code 0 when intact, 1 when broken.
import { closeDatabase } from "@/db/tenant";
import { describeChain, verifyAuditChain } from "./chain";

try {
  const report = await verifyAuditChain();
  console.log(describeChain(report));
  process.exitCode = report.ok ? 0 : 1;
} catch (error) {
  console.error(`Could not verify the audit chain: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  await closeDatabase();
}
