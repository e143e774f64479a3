// What a customer's page shows of its data as a unit: the latest export, its recent backups and,
// once erased, the erasure — through the caller's (platform) transaction.
import "server-only";
import { desc, eq } from "drizzle-orm";
import { backups, customerExports, erasures } from "@/db/schema";
import type { Tx } from "@/db/tenant";

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
  return { lastExport: lastExport ?? null, erasure: erasure ?? null, backups: recent };
}
