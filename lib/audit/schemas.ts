import { z } from "zod";
import { auditOutcomes } from "@/db/schema";
import { customerIdSchema } from "@/lib/customers/schemas";
import { cursorParam, newestFirstCursorSchema } from "@/lib/lists/cursor";

/** A calendar day as YYYY-MM-DD that exists (2024-13-01 and 2024-02-30 do not). */
export const daySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => {
    const date = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(s);
  }, "Not a calendar day");

const day = daySchema.optional().catch(undefined);

/**
 * Where a page of the audit viewer starts (keyset paging): after, or before, the event at this
 * time (microseconds since the epoch, as the database wrote it) with this ID. `page` is only shown.
 */
const cursorSchema = newestFirstCursorSchema(
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
);
export type AuditCursor = z.infer<typeof cursorSchema>;

/** The audit viewer's URL: the filters of the table and of its CSV export alike. */
export const auditFilterSchema = z.object({
  actor: z.string().trim().toLowerCase().max(200).catch("").default(""),
  action: z.string().trim().max(100).catch("").default(""),
  outcome: z.enum(auditOutcomes).optional().catch(undefined),
  customer: customerIdSchema.optional().catch(undefined),
  from: day,
  to: day,
  cursor: cursorParam(cursorSchema),
  size: z.coerce
    .number()
    .refine((n) => [25, 50, 100].includes(n))
    .catch(50)
    .default(50),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;
