// Where a keyset-paged list's page starts, carried in the URL opaque (base64url JSON). Each list
// adds its own sort key to the position every cursor holds; one that does not decode, or does not
// fit the list's schema, is no cursor at all (the first page).
import { z } from "zod";

export function encodeCursor(cursor: object): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export function decodeCursor(value: unknown): unknown {
  if (typeof value !== "string" || value.length > 1200) return undefined;
  try {
    return JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/** What every cursor holds: the page number it shows (only shown), and which way from its row. */
export const keysetPositionSchema = z.object({
  page: z.number().int().min(2).max(100_000_000),
  towards: z.enum(["next", "previous"]),
});
export type KeysetPosition = z.infer<typeof keysetPositionSchema>;

/**
 * A newest-first list's cursor (lib/lists/keyset.ts, newestFirst): the row's time as microseconds
 * since the epoch, as the database wrote it, and its ID.
 */
export const newestFirstCursorSchema = <Id extends z.ZodType>(id: Id) =>
  keysetPositionSchema.extend({ at: z.string().regex(/^\d{1,17}$/), id });

/** A URL's cursor parameter read by a list's cursor schema: undefined unless it decodes and fits. */
export const cursorParam = <T extends z.ZodType>(schema: T) =>
  z.preprocess(decodeCursor, schema.optional()).catch(undefined);
