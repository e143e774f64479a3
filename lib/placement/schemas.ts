import { z } from "zod";
import { customerIdSchema } from "@/lib/customers/schemas";
import { databaseNameSchema } from "../databases/schemas";

export const startMoveSchema = z.object({
  customer: customerIdSchema,
  to: databaseNameSchema,
  mode: z.enum(["auto", "online", "offline"]).default("auto"),
});

export const moveIdSchema = z.object({ id: z.uuid({ message: "A move's ID is a UUID." }) });
export const movesQuerySchema = z.object({
  customer: customerIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
