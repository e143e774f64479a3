// The audit chains' sequencer (docs/architecture.md §7): events arrive unsealed, and this gives
// each committed one its position and hashes in its chain, in batches, shortly after insert.
import "server-only";
import { sql } from "drizzle-orm";
import { withSystem } from "@/db/tenant";

const BATCH = 2_000;

/** Seals every event committed so far, `batch` at a time; returns how many it sealed. */
export async function sealAuditEvents(batch = BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const sealed = await withSystem("audit-seal", async (tx) => {
      const { rows } = await tx.execute<{ sealed: number }>(
        sql`select control.seal_audit_events(${batch}) as sealed`,
      );
      return rows[0].sealed;
    });
    total += sealed;
    if (sealed < batch) return total;
  }
}

/**
 * Seals every AUDIT_SEAL_MS (default 200) while the server is up. Several servers over one
 * database take turns: the function holds one lock while it seals. A failure is logged when it
 * begins or its message changes, and its end once sealing works again: while the database is
 * away, not five lines a second. Returns a function that stops it.
 */
export function startAuditSealer(seal: () => Promise<unknown> = sealAuditEvents): () => void {
  const interval = Number(process.env.AUDIT_SEAL_MS ?? 200);
  if (!Number.isFinite(interval) || interval <= 0) return () => undefined;
  let running = false;
  let failing: string | null = null;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await seal();
      if (failing !== null) console.error("audit sealing works again");
      failing = null;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== failing)
        console.error(`audit sealing failed: ${message} (trying again every ${interval} ms)`);
      failing = message;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, interval);
  timer.unref();
  return () => clearInterval(timer);
}
