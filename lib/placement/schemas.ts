import { z } from "zod";
import { cursorParam, decodeCursor, newestFirstCursorSchema } from "@/lib/lists/cursor";
import { customerIdSchema } from "@/lib/customers/schemas";
import { databaseNameSchema } from "../databases/schemas";

export const startMoveSchema = z.object({
  customer: customerIdSchema,
  to: databaseNameSchema,
  mode: z.enum(["auto", "online", "offline"]).default("auto"),
});

export const moveIdSchema = z.object({ id: z.uuid({ message: "A move's ID is a UUID." }) });

/**
 * Where a page of the history of moves starts (keyset paging): after, or before, the move
 * started at this time (microseconds since the epoch) with this ID.
 */
const moveCursorSchema = newestFirstCursorSchema(z.uuid());
export type MoveCursor = z.infer<typeof moveCursorSchema>;

/** The Databases page's URL: where its history of moves starts (`moves`, a cursor). */
export const databasesPageSchema = z.object({ moves: cursorParam(moveCursorSchema) });

/** Moves a page of the history. */
export const MOVES_PER_PAGE = 20;

/**
 * The status API's list of moves: of one customer or every one, `limit` a page, from `cursor`
 * (the `next` of the page before). A cursor that is not one is refused, not taken for the top:
 * a client that loops on `next` must not start over.
 */
export const movesQuerySchema = z.object({
  customer: customerIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .max(1200)
    .transform((c, ctx) => {
      const cursor = moveCursorSchema.safeParse(decodeCursor(c));
      if (cursor.success) return cursor.data;
      ctx.addIssue({ code: "custom", message: "Not a cursor of this list." });
      return z.NEVER;
    })
    .optional(),
});

export const startQueueSchema = z.object({
  to: databaseNameSchema,
  threshold: z.coerce
    .number({ message: "The threshold is a number of rows." })
    .int("The threshold is a whole number of rows.")
    .min(1, "The threshold is at least one row."),
});

export const queueIdSchema = z.object({ id: z.uuid({ message: "A queue's ID is a UUID." }) });
