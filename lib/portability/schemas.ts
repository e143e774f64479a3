// What the data export's URL carries: the customer, which only platform staff may choose.
import { z } from "zod";
import { customerIdSchema } from "@/lib/customers/schemas";

export const dataExportQuerySchema = z.object({ customer: customerIdSchema.optional() });
