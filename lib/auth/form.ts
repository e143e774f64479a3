// A submitted form through its zod schema, for the action chain and the public actions alike:
// the parsed input, or the form's errors field by field (or a sentence, when it is no form at
// all). A NUL character is refused up front, in the field that carries it: PostgreSQL cannot
// store one in text, and it means nothing in a form.
import { z } from "zod";

export const CHECK_FIELDS = "Check the highlighted fields.";
const NUL = "This contains a NUL character, which cannot be stored.";
/** What a post that is no form at all is told (lib/http/server-errors.ts says it too). */
export const UNREADABLE = "This form could not be read. Reload the page and try again.";

export type ParsedForm<T> =
  | { ok: true; data: T }
  | { ok: false; error: string; fieldErrors: Record<string, string[] | undefined> };

/**
 * `formData` is whatever the request decoded to: Next hands an action the arguments a client
 * sent, and a forged post can send a string, a number or nothing in the form's place.
 */
export function parseForm<S extends z.ZodType>(
  schema: S,
  formData: unknown,
): ParsedForm<z.infer<S>> {
  if (!(formData instanceof FormData))
    return {
      ok: false,
      error: UNREADABLE,
      fieldErrors: {},
    };
  const fields = Object.fromEntries(formData.entries());
  const withNul = Object.entries(fields).filter(
    ([, v]) => typeof v === "string" && v.includes("\0"),
  );
  if (withNul.length > 0)
    return {
      ok: false,
      error: CHECK_FIELDS,
      fieldErrors: Object.fromEntries(withNul.map(([k]) => [k, [NUL]])),
    };
  const parsed = schema.safeParse(fields);
  if (!parsed.success)
    return {
      ok: false,
      error: CHECK_FIELDS,
      fieldErrors: z.flattenError(parsed.error).fieldErrors,
    };
  return { ok: true, data: parsed.data };
}

/** A field of what was posted as a form, as text; undefined when absent or when it is no form. */
export function formField(formData: unknown, name: string): string | undefined {
  return formData instanceof FormData ? formData.get(name)?.toString() : undefined;
}
