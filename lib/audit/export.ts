// The CSV export of a filtered audit view, streamed in batches so that a million events never
// sit in memory at once, and read batch by batch in short transactions so a slow client never
// holds a pooled connection. csv-stringify does the quoting and escapes formula cells (a
// spreadsheet would run `=HYPERLINK(…)` from a target ID an attacker typed into a URL).
import "server-only";
import { randomUUID } from "node:crypto";
import { stringify } from "csv-stringify/sync";
import { sql } from "drizzle-orm";
import { withSystem, type Tx } from "@/db/tenant";
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

/**
 * The response body of an export (the audit CSV's chunks of text, an archive's bytes): one
 * chunk per pull. The export's slot is released when the chunks end or fail or the client goes
 * away, before the body ends: the next export asked for after this one's last byte finds it free.
 */
export function releasedAtEnd(
  chunks: AsyncIterable<{ text: string } | Uint8Array>,
  release: () => Promise<void>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) {
          await release();
          controller.close();
        } else
          controller.enqueue("text" in next.value ? encoder.encode(next.value.text) : next.value);
      } catch (error) {
        console.error("export failed:", error);
        await release();
        controller.error(error);
      }
    },
    async cancel() {
      await release();
      await iterator.return?.();
    },
  });
}

/** How long a claimed export slot holds without being renewed. */
export const EXPORT_LEASE_SECONDS = 90;

/**
 * Claims the user's one export slot, which every instance of the console shares
 * (control.export_slots); null while another export of theirs holds it. A running export renews
 * its lease every `renewEveryMs`, so a slot whose process died frees itself when the lease runs
 * out. The release (idempotent) gives up only this claim's lease, never one taken over since.
 */
export async function claimExport(
  userId: string,
  { renewEveryMs = 30_000 } = {},
): Promise<(() => Promise<void>) | null> {
  const token = randomUUID();
  const lease = sql`now() + make_interval(secs => ${EXPORT_LEASE_SECONDS})`;
  const { rows } = await withSystem("export-slot", (tx) =>
    tx.execute(sql`
      insert into control.export_slots (user_id, token, held_until)
      values (${userId}, ${token}, ${lease})
      on conflict (user_id) do update set token = excluded.token, held_until = excluded.held_until
       where control.export_slots.held_until < now()
      returning 1`),
  );
  if (!rows.length) return null;
  const mine = sql`user_id = ${userId} and token = ${token}`;
  const renewal = setInterval(() => {
    withSystem("export-slot", (tx) =>
      tx.execute(sql`update control.export_slots set held_until = ${lease} where ${mine}`),
    ).catch((error: Error) => console.error(`export slot of ${userId}: ${error.message}`));
  }, renewEveryMs);
  renewal.unref();
  let released: Promise<void> | undefined;
  return () =>
    (released ??= (async () => {
      clearInterval(renewal);
      await withSystem("export-slot", (tx) =>
        tx.execute(sql`delete from control.export_slots where ${mine}`),
      ).catch((error: Error) => console.error(`export slot of ${userId}: ${error.message}`));
    })());
}
