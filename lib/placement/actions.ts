"use server";

import { ActionError, ownerUrlFor, platformOperation, startRecorded } from "@/lib/auth/action";
import { MoveError, moveCustomer } from "./move";
import { startMoveSchema } from "./schemas";

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
    try {
      const started = await startRecorded((onStart) =>
        moveCustomer(url, input.customer, input.to, {
          by: ctx.user.email,
          mode: input.mode,
          onStart,
        }),
      );
      const moveId = "id" in started ? started.id : started.result.moveId;
      Object.assign(record, { details: { moveId, to: input.to } });
    } catch (error) {
      if (error instanceof MoveError) throw new ActionError(error.message);
      throw error;
    }
    return { ok: true, message: `The move to ${input.to} has started; its progress is below.` };
  },
);
