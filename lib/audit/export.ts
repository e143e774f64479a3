// The CSV export of a filtered audit view, streamed in batches so that a million events never
// sit in memory at once. csv-stringify does the quoting (a well-kept library for a format with
// more corners than it looks).
import "server-only";
import { stringify } from "csv-stringify/sync";
import type { Tx } from "@/db/tenant";
import { auditBatch, type AuditRow } from "./queries";
import type { AuditFilter } from "./schemas";

export const CSV_COLUMNS = ["id", "at", "actor", "actor_role", "acting_as", "customer", "action", "target_type", "target_id", "outcome", "ip", "details"];

function toRecord(r: AuditRow) {
  return [r.id, r.at.toISOString(), r.actorEmail, r.actorRole, r.actingAs, r.tenantId, r.action, r.targetType, r.targetId, r.outcome, r.ip, JSON.stringify(r.details)];
}

/** Writes the CSV through `write`, batch by batch; returns the number of rows. */
export async function exportAuditCsv(tx: Tx, filter: AuditFilter, tenantId: string | undefined, write: (chunk: string) => Promise<void>, batch = 1000) {
  await write(stringify([CSV_COLUMNS]));
  let before: number | null = null;
  let rows = 0;
  for (;;) {
    const page = await auditBatch(tx, filter, tenantId, before, batch);
    if (page.length === 0) return rows;
    await write(stringify(page.map(toRecord)));
    rows += page.length;
    before = page[page.length - 1].id;
  }
}
