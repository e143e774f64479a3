"use server";

import { eq } from "drizzle-orm";
import { databases, moveQueues } from "@/db/schema";
import {
  ActionError,
  ownerUrlFor,
  platformAction,
  platformOperation,
  startRecorded,
} from "@/lib/auth/action";
import { cancelMove, cleanUpMove, MoveError, moveCustomer } from "./move";
import { setQueueStatus } from "./queue";
import { moveIdSchema, queueIdSchema, startMoveSchema, startQueueSchema } from "./schemas";

/**
 * Starts moving a customer to another registered database (lib/placement/move.ts) and answers
 * once the move is recorded (startRecorded); the Databases and customer pages follow it. A move refused before it starts says why.
 */
export const startMoveAction = platformOperation(
  {
    name: "moves.start",
    permission: "databases.manage",
    schema: startMoveSchema,
    revalidate: "/databases",
  },
  async (input, ctx, record) => {
    Object.assign(record, {
      targetType: "customer",
      targetId: input.customer,
      tenantId: input.customer,
    });
    const url = ownerUrlFor("Moving a customer");
    const started = await moveOperation(() =>
      startRecorded((onStart) =>
        moveCustomer(url, input.customer, input.to, {
          by: ctx.user.email,
          mode: input.mode,
          onStart,
        }),
      ),
    );
    const moveId = "id" in started ? started.id : started.result.moveId;
    Object.assign(record, { details: { moveId, to: input.to } });
    return { ok: true, message: `The move to ${input.to} has started; its progress is below.` };
  },
);

/**
 * Starts a gradual migration: the shared databases' customers from `threshold` rows move to a
 * dedicated database, smallest first, one at a time (lib/placement/queue.ts steps it).
 */
export const startQueueAction = platformAction(
  {
    name: "moves.queue.start",
    permission: "databases.manage",
    schema: startQueueSchema,
    revalidate: "/databases",
  },
  async (tx, input, ctx, record) => {
    const [target] = await tx
      .select({ kind: databases.kind, status: databases.status })
      .from(databases)
      .where(eq(databases.name, input.to));
    if (!target || target.kind !== "dedicated" || target.status !== "active")
      throw new ActionError(`${input.to} is not an active dedicated database.`);
    const [running] = await tx
      .select({ id: moveQueues.id })
      .from(moveQueues)
      .where(eq(moveQueues.status, "running"));
    if (running) throw new ActionError("A queue is running already: pause it or let it finish.");
    const [queue] = await tx
      .insert(moveQueues)
      .values({ target: input.to, thresholdRows: input.threshold, createdBy: ctx.user.email })
      .returning({ id: moveQueues.id });
    Object.assign(record, {
      targetType: "move_queue",
      targetId: queue.id,
      details: { to: input.to, threshold: input.threshold },
    });
    return { ok: true, message: "The queue has started: its moves appear below, one at a time." };
  },
);

/** Pausing or resuming a queue: the action's answer. */
async function switchQueue(
  tx: Parameters<typeof setQueueStatus>[0],
  id: string,
  status: "running" | "paused",
) {
  if (!(await setQueueStatus(tx, id, status)))
    throw new ActionError("That queue is finished or gone.");
  return {
    ok: true as const,
    message:
      status === "paused" ? "Paused: the move in progress ends, and no other starts." : "Resumed.",
  };
}

export const pauseQueueAction = platformAction(
  {
    name: "moves.queue.pause",
    permission: "databases.manage",
    schema: queueIdSchema,
    revalidate: "/databases",
  },
  async (tx, input, _ctx, record) => {
    Object.assign(record, { targetType: "move_queue", targetId: input.id });
    return switchQueue(tx, input.id, "paused");
  },
);

export const resumeQueueAction = platformAction(
  {
    name: "moves.queue.resume",
    permission: "databases.manage",
    schema: queueIdSchema,
    revalidate: "/databases",
  },
  async (tx, input, _ctx, record) => {
    Object.assign(record, { targetType: "move_queue", targetId: input.id });
    return switchQueue(tx, input.id, "running");
  },
);

/** What a move library call refused, as the action's sentence. */
async function moveOperation<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MoveError) throw new ActionError(error.message);
    throw error;
  }
}

/**
 * Rolls back a move that has not flipped: the move stops at its next step and puts everything
 * back (one whose process is gone is rolled back at once).
 */
export const rollBackMoveAction = platformOperation(
  {
    name: "moves.rollback",
    permission: "databases.manage",
    schema: moveIdSchema,
    revalidate: "/databases",
  },
  async (input, ctx, record) => {
    Object.assign(record, { targetType: "move", targetId: input.id });
    const outcome = await moveOperation(() =>
      cancelMove(ownerUrlFor("Rolling back a move"), input.id, ctx.user.email),
    );
    return {
      ok: true,
      message:
        outcome === "asked"
          ? "Rolling back: the move stops at its next step and puts everything back."
          : "Rolled back: its process had stopped; the customer stays where it was.",
    };
  },
);

/** Deletes now the rows a finished move left on its source, instead of after the grace period. */
export const cleanUpMoveAction = platformOperation(
  {
    name: "moves.cleanup.confirm",
    permission: "databases.manage",
    schema: moveIdSchema,
    revalidate: "/databases",
  },
  async (input, ctx, record) => {
    Object.assign(record, { targetType: "move", targetId: input.id });
    const { rows } = await moveOperation(() =>
      cleanUpMove(ownerUrlFor("Cleaning up a move"), input.id, { by: ctx.user.email }),
    );
    Object.assign(record, { details: { rows } });
    return {
      ok: true,
      message: `Cleaned up: ${rows.toLocaleString("en")} rows left the old database.`,
    };
  },
);
