"use server";

import { z } from "zod";
import { ActionError, ownerUrlFor, platformOperation } from "@/lib/auth/action";
import { normalizeCustomerId } from "@/lib/customers/ids";
import { customerIdSchema } from "@/lib/customers/schemas";
import { EraseError, eraseCustomer } from "./erase";

const eraseSchema = z.object({ id: customerIdSchema, confirm: z.string().max(40) });

/**
 * Erases a customer in offboarding (lib/portability/erase.ts) once the super-admin has typed its
 * ID. The erase writes its own `customers.erase` event with the certificate's summary, in the
 * transaction that ends it; this action's event records who asked.
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
      const certificate = await eraseCustomer(url, input.id, { by: ctx.user.email });
      const rows = certificate.tables.reduce((n, t) => n + t.before, 0);
      Object.assign(record, { details: { rows, tables: certificate.tables.length } });
      return {
        ok: true,
        message: `Erased: ${rows.toLocaleString("en")} rows in ${certificate.tables.length} tables. The certificate is below.`,
      };
    } catch (error) {
      if (error instanceof EraseError) throw new ActionError(error.message);
      throw error;
    }
  },
);
