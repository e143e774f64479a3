// Gradual migration (docs/architecture.md §13): a queue moves the customers of the shared
// databases whose rows (rows.total in their latest usage snapshot, which the snapshot keeps in
// usage_sizes) reach its threshold to its target, smallest first, as many at a time as
// MOVES_PARALLEL allows (default 1), each an ordinary recorded move. A step starts moves only
// while fewer than that run and the queue runs; pausing lets the moves in progress end and
// starts no other. One console at a time steps the queues (an advisory lock). The same worker
// cleans up the moves whose grace period is over.
import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { ownerDatabaseUrl } from "@/db/env";
import { withOwnerClient } from "@/db/owner";
import { moveQueues } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { cleanUpDueMoves, moveCustomer, parallelMoves } from "./move";

export type MoveQueue = typeof moveQueues.$inferSelect;

/** The customers a queue would move, in the order it moves them. */
export async function queueCandidates(
  tx: Tx,
  queue: Pick<MoveQueue, "target" | "thresholdRows">,
  limit = 20,
): Promise<{ id: string; name: string; rows: number; database: string }[]> {
  // From the threshold up through the sizes' index, so a step reads the large customers only.
  const { rows } = await tx.execute<{
    id: string;
    name: string;
    rows: string;
    database: string;
  }>(sql`
    select c.id, c.name, s.rows::text as rows, c.database
      from control.usage_sizes s
      join control.customers c on c.id = s.tenant_id
      join control.databases d on d.name = c.database and d.kind = 'shared'
     where s.rows >= ${queue.thresholdRows} and c.database <> ${queue.target}
       and c.status not in ('erased', 'deleted')
       and not exists (select 1 from control.moves m where m.tenant_id = c.id and m.status = 'running')
     order by s.rows, s.tenant_id
     limit ${limit}`);
  return rows.map((r) => ({ ...r, rows: Number(r.rows) }));
}

export async function listQueues(tx: Tx): Promise<MoveQueue[]> {
  return tx.select().from(moveQueues).orderBy(asc(moveQueues.createdAt));
}

export interface QueueStep {
  /** What the step did: nothing to do, waited for running moves, moved customers, or finished. */
  outcome: "idle" | "busy" | "moved" | "done";
  queueId?: string;
  /** The customers this step moved, and those whose move failed (with why). */
  moved?: string[];
  failed?: { customer: string; error: string }[];
}

const LOCK = "tenantry.move-queue";

/**
 * One step of the oldest running queue: while fewer than MOVES_PARALLEL moves run, the next
 * customers move, side by side (to their end); when none is left, the queue is done. A failed
 * move is recorded as every move is, and the queue goes on with the next customers at its next
 * step (the failed one stays where it was and is tried again after the others).
 */
export async function runQueueStep(ownerUrl: string): Promise<QueueStep> {
  return withOwnerClient(ownerUrl, async (client) => {
    const { rows: lock } = await client.query<{ ok: boolean }>(
      "select pg_try_advisory_lock(hashtext($1)) as ok",
      [LOCK],
    );
    if (!lock[0].ok) return { outcome: "busy" };
    try {
      await client.query("begin read only");
      await client.query("set local role tenantry_platform");
      const tx = drizzle(client);
      const [queue] = await tx
        .select()
        .from(moveQueues)
        .where(eq(moveQueues.status, "running"))
        .orderBy(asc(moveQueues.createdAt))
        .limit(1);
      const { rows: running } = await client.query(
        "select 1 from control.moves where status = 'running'",
      );
      const room = parallelMoves() - running.length;
      const next = queue && room > 0 ? await queueCandidates(tx, queue, room) : [];
      await client.query("commit");
      if (!queue) return { outcome: "idle" };
      if (room <= 0) return { outcome: "busy", queueId: queue.id };
      if (!next.length) {
        await client.query(
          "update control.move_queues set status = 'done', updated_at = now() where id = $1 and status = 'running'",
          [queue.id],
        );
        return { outcome: "done", queueId: queue.id };
      }
      const results = await Promise.allSettled(
        next.map((c) => moveCustomer(ownerUrl, c.id, queue.target, { by: "move queue" })),
      );
      return {
        outcome: "moved",
        queueId: queue.id,
        moved: next.filter((_, i) => results[i].status === "fulfilled").map((c) => c.id),
        failed: next.flatMap((c, i) => {
          const r = results[i];
          return r.status === "rejected"
            ? [{ customer: c.id, error: (r.reason as Error).message }]
            : [];
        }),
      };
    } finally {
      await client.query("rollback").catch(() => undefined);
      await client.query("select pg_advisory_unlock(hashtext($1))", [LOCK]);
    }
  });
}

/**
 * While the server is up, every few seconds (one round at a time): the moves whose grace period
 * is over are cleaned up, then the queues take a step.
 */
export function startMoveQueues(): void {
  const ownerUrl = ownerDatabaseUrl();
  if (!ownerUrl) return;
  let stepping = false;
  const round = async () => {
    for (const c of await cleanUpDueMoves(ownerUrl))
      if (c.error) console.error(`move ${c.moveId}: cleanup: ${c.error}`);
    const step = await runQueueStep(ownerUrl);
    for (const f of step.failed ?? [])
      console.error(`move queue: moving ${f.customer} failed: ${f.error}`);
  };
  setInterval(() => {
    if (stepping) return;
    stepping = true;
    round()
      .catch((error: Error) => console.error(`move queue: ${error.message}`))
      .finally(() => (stepping = false));
  }, 5_000).unref();
}

/** Pauses or resumes a queue; false when there is no such queue (or it is done). */
export async function setQueueStatus(
  tx: Tx,
  id: string,
  status: "running" | "paused",
): Promise<boolean> {
  const updated = await tx
    .update(moveQueues)
    .set({ status, updatedAt: new Date() })
    .where(and(eq(moveQueues.id, id), sql`${moveQueues.status} <> 'done'`))
    .returning({ id: moveQueues.id });
  return updated.length === 1;
}
