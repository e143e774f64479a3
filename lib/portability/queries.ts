// What a customer's page shows of its data as a unit: its recent jobs, the latest export, its
// recent backups and, once erased, the erasure — through the caller's (platform) transaction.
import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import { backups, customerExports, dataJobs, erasures } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { JOB_STALE_SECONDS, type TableProgress } from "./jobs";

export async function dataLifecycle(tx: Tx, customerId: string) {
  const [lastExport] = await tx
    .select({
      createdAt: customerExports.createdAt,
      createdBy: customerExports.createdBy,
      sha256: customerExports.sha256,
      rows: customerExports.rows,
    })
    .from(customerExports)
    .where(eq(customerExports.tenantId, customerId))
    .orderBy(desc(customerExports.createdAt))
    .limit(1);
  const [erasure] = await tx
    .select({
      erasedAt: erasures.erasedAt,
      erasedBy: erasures.erasedBy,
      certificate: erasures.certificate,
    })
    .from(erasures)
    .where(eq(erasures.tenantId, customerId));
  const recent = await tx
    .select({
      id: backups.id,
      createdAt: backups.createdAt,
      bytes: backups.bytes,
      rows: backups.rows,
      verified: backups.verified,
      error: backups.error,
    })
    .from(backups)
    .where(eq(backups.tenantId, customerId))
    .orderBy(desc(backups.createdAt))
    .limit(7);
  const jobs = await tx
    .select({
      id: dataJobs.id,
      kind: dataJobs.kind,
      status: dataJobs.status,
      startedAt: dataJobs.startedAt,
      finishedAt: dataJobs.finishedAt,
      startedBy: dataJobs.startedBy,
      step: dataJobs.step,
      progress: dataJobs.progress,
      error: dataJobs.error,
      // A running job whose process died stops being touched (jobs.ts writes a heartbeat).
      stale: sql<boolean>`${dataJobs.status} = 'running' and ${dataJobs.updatedAt} < now() - make_interval(secs => ${JOB_STALE_SECONDS})`,
    })
    .from(dataJobs)
    .where(eq(dataJobs.tenantId, customerId))
    .orderBy(desc(dataJobs.startedAt))
    .limit(10);
  return {
    jobs: jobs.map((j) => ({ ...j, progress: j.progress as TableProgress[] })),
    lastExport: lastExport ?? null,
    erasure: erasure ?? null,
    backups: recent,
  };
}
