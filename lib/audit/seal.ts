// The audit chains' sequencer (docs/architecture.md §7): events arrive unsealed, and this gives
// each committed one its position and hashes in its chain, in batches, shortly after insert.
import "server-only";
import { sql } from "drizzle-orm";
import { withSystem } from "@/db/tenant";

const BATCH = 2_000;

/** Seals every event committed so far; returns how many it sealed. */
export async function sealAuditEvents(): Promise<number> {
  let total = 0;
  for (;;) {
    const sealed = await withSystem("audit-seal", async (tx) => {
      const { rows } = await tx.execute<{ sealed: number }>(
        sql`select control.seal_audit_events(${BATCH}) as sealed`,
      );
      return rows[0].sealed;
    });
    total += sealed;
    if (sealed < BATCH) return total;
  }
}

/**
 * Seals every AUDIT_SEAL_MS (default 200) while the server is up. Several servers over one
 * database take turns: the function holds one lock while it seals.
 */
export function startAuditSealer(): void {
  const interval = Number(process.env.AUDIT_SEAL_MS ?? 200);
  if (!Number.isFinite(interval) || interval <= 0) return;
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await sealAuditEvents();
    } catch (error) {
      console.error(`audit sealing failed: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  };
  setInterval(run, interval).unref();
}
