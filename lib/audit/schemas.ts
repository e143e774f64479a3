import { z } from "zod";
import { auditOutcomes } from "@/db/schema";
import { customerIdSchema } from "@/lib/customers/schemas";

/** A calendar day as YYYY-MM-DD that exists (2024-13-01 and 2024-02-30 do not). */
export const daySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => {
    const date = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(s);
  }, "Not a calendar day");

const day = daySchema.optional().catch(undefined);

/** The audit viewer's URL: the filters of the table and of its CSV export alike. */
export const auditFilterSchema = z.object({
  actor: z.string().trim().toLowerCase().max(200).catch("").default(""),
  action: z.string().trim().max(100).catch("").default(""),
  outcome: z.enum(auditOutcomes).optional().catch(undefined),
  customer: customerIdSchema.optional().catch(undefined),
  from: day,
  to: day,
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  size: z.coerce
    .number()
    .refine((n) => [25, 50, 100].includes(n))
    .catch(50)
    .default(50),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;
