// The CSV export of a filtered audit view, streamed in batches so that a million events never
// sit in memory at once, and read batch by batch in short transactions so a slow client never
// holds a pooled connection. csv-stringify does the quoting and escapes formula cells (a
// spreadsheet would run `=HYPERLINK(…)` from a target ID an attacker typed into a URL).
import "server-only";
import { stringify } from "csv-stringify/sync";
import type { Tx } from "@/db/tenant";
import { auditBatch, type AuditRow } from "./queries";
import type { AuditFilter } from "./schemas";

export const CSV_COLUMNS = [
  "id",
  "at",
  "actor",
  "actor_role",
  "acting_as",
  "customer",
  "action",
  "target_type",
  "target_id",
  "outcome",
  "ip",
  "details",
];

/** Each batch's read must finish in this time, or the export fails instead of hanging. */
export const EXPORT_STATEMENT_TIMEOUT_MS = 15_000;

/** Runs one batch's read in a transaction of its own and releases the connection after it. */
export type BatchReader = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

function toRecord(r: AuditRow) {
  return [
    r.id,
    r.at.toISOString(),
    r.actorEmail,
    r.actorRole,
    r.actingAs,
    r.tenantId,
    r.action,
    r.targetType,
    r.targetId,
    r.outcome,
    r.ip,
    JSON.stringify(r.details),
  ];
}

export function toCsv(records: unknown[][]): string {
  return stringify(records, { escape_formulas: true });
}

/** The CSV, header first, one chunk per batch (keyset on the id, newest first), with its row count. */
export async function* auditCsvChunks(
  read: BatchReader,
  filter: AuditFilter,
  tenantId: string | undefined,
  batch = 1000,
): AsyncGenerator<{ text: string; rows: number }> {
  yield { text: toCsv([CSV_COLUMNS]), rows: 0 };
  let before: number | null = null;
  for (;;) {
    const page = await read((tx) => auditBatch(tx, filter, tenantId, before, batch));
    if (page.length === 0) return;
    yield { text: toCsv(page.map(toRecord)), rows: page.length };
    before = page[page.length - 1].id;
  }
}

// One export in flight per user (in this process): a second one waits for the first to end.
const inFlight = new Set<string>();

/** Claims the user's one export slot; null when an export of theirs is still running. */
export function claimExport(userId: string): (() => void) | null {
  if (inFlight.has(userId)) return null;
  inFlight.add(userId);
  return () => void inFlight.delete(userId);
}
