"use server";

import { z } from "zod";
import { ActionError, ownerUrlFor, platformOperation, startRecorded } from "@/lib/auth/action";
import { normalizeCustomerId } from "@/lib/customers/ids";
import { customerIdSchema } from "@/lib/customers/schemas";
import { EraseError, eraseCustomer } from "./erase";

const eraseSchema = z.object({ id: customerIdSchema, confirm: z.string().max(40) });

/**
 * Erases a customer in offboarding (lib/portability/erase.ts) once the super-admin has typed its
 * ID. The action answers as soon as the erase is a recorded job, whose progress the customer's
 * page shows (startRecorded). A customer that may
 * not be erased is refused before any job starts, with the erase's sentence. The job's end is its
 * own `jobs.erase` event, and the erasure's `customers.erase` is written with the certificate.
 */
export const eraseCustomerAction = platformOperation(
  {
    name: "data.erase",
    permission: "customers.manage",
    schema: eraseSchema,
    revalidate: "/customers",
  },
  async (input, ctx, record) => {
    Object.assign(record, { targetType: "customer", targetId: input.id, tenantId: input.id });
    if (normalizeCustomerId(input.confirm) !== input.id)
      throw new ActionError(`Type the customer ID ${input.id} to confirm the erase.`);
    const url = ownerUrlFor("Erasing");
    try {
      const started = await startRecorded((onStart) =>
        eraseCustomer(url, input.id, { by: ctx.user.email, onStart }),
      );
      Object.assign(record, { details: { jobId: "id" in started ? started.id : null } });
    } catch (error) {
      if (error instanceof EraseError) throw new ActionError(error.message);
      throw error;
    }
    return { ok: true, message: "The erase has started; its progress is below." };
  },
);
