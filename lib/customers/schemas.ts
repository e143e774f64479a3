import { z } from "zod";
import { customerStatuses } from "@/db/schema";
import { cursorParam, keysetPositionSchema } from "@/lib/lists/cursor";
import { isCustomerId, normalizeCustomerId } from "./ids";
import { PAGE_SIZES, SORTABLE } from "./list";

/** A customer ID as typed or pasted (`abc-def ghj`): normalised, then validated. */
export const customerIdSchema = z
  .string()
  .transform(normalizeCustomerId)
  .refine(isCustomerId, { message: "Not a customer ID." });

const name = z
  .string()
  .trim()
  .min(2, { message: "Give the customer a name of at least 2 characters." })
  .max(120);
const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address." }));
const planName = z.string().trim().min(1, { message: "Choose a plan." }).max(40);
const version = z.coerce.number().int().min(1);

/** An empty form field means "not given". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());

export const createCustomerSchema = z.object({
  name,
  contactEmail: email,
  plan: planName,
  trialDays: z.coerce
    .number({ message: "Enter a number of days." })
    .int()
    .min(0, { message: "0 to 90 days." })
    .max(90, { message: "0 to 90 days." }),
  adminEmail: optional(email),
});

export const editCustomerSchema = z.object({
  id: customerIdSchema,
  version,
  name,
  contactEmail: email,
});

const limit = optional(
  z.coerce
    .number({ message: "Enter a whole number." })
    .int()
    .min(0, { message: "Must be 0 or more." }),
);

export const changePlanSchema = z.object({
  id: customerIdSchema,
  version,
  plan: planName,
  maxUsers: limit,
  maxRows: limit,
  maxStorageBytes: limit,
  maxApiCallsMonth: limit,
});

export const transitionSchema = z.object({
  id: customerIdSchema,
  version,
  to: z.enum(customerStatuses),
  reason: z.string().trim().max(500).default(""),
});

export const extendTrialSchema = z.object({
  id: customerIdSchema,
  version,
  days: z.coerce
    .number({ message: "Extend by a number of days." })
    .int("Extend by whole days.")
    .min(1, "Extend by at least one day.")
    .max(90, "Extend by at most 90 days."),
  reason: z
    .string()
    .trim()
    .min(5, "Say why, in at least 5 characters.")
    .max(500, "A reason is at most 500 characters."),
});

export const contactEmailSchema = z.object({ version, contactEmail: email });

/**
 * Where a page of the customer list starts (keyset paging): after, or before, the row with this
 * sort key and ID, under the sort it was made for. `page` is only shown. The URL carries it
 * opaque (base64url JSON); one that does not decode, or was made for another sort, is ignored.
 */
const cursorSchema = keysetPositionSchema.extend({
  sort: z.enum(SORTABLE),
  dir: z.enum(["asc", "desc"]),
  // The sort key as the database wrote it (lib/customers/queries.ts): digits for users and
  // created, text for the rest, never a NUL.
  key: z
    .string()
    .max(400)
    .regex(/^[^\0]*$/),
  id: z.string().refine(isCustomerId),
});
export type ListCursor = z.infer<typeof cursorSchema>;

const DIGITS: Partial<Record<ListCursor["sort"], RegExp>> = {
  users: /^\d{1,9}$/,
  created: /^-?\d{1,17}$/,
};

/** The customer list's URL: everything a shared link or a reload needs to show the same view. */
export const customerListSchema = z
  .object({
    q: z.string().trim().max(120).catch("").default(""),
    status: z.enum(customerStatuses).optional().catch(undefined),
    plan: z.string().trim().max(40).optional().catch(undefined),
    sort: z.enum(SORTABLE).catch("created").default("created"),
    dir: z.enum(["asc", "desc"]).catch("desc").default("desc"),
    size: z.coerce
      .number()
      .refine((n) => (PAGE_SIZES as readonly number[]).includes(n))
      .catch(25)
      .default(25),
    cursor: cursorParam(cursorSchema),
  })
  .transform(({ cursor, ...params }) => ({
    ...params,
    cursor:
      cursor &&
      cursor.sort === params.sort &&
      cursor.dir === params.dir &&
      (DIGITS[cursor.sort]?.test(cursor.key) ?? true)
        ? cursor
        : undefined,
  }));
export type CustomerListParams = z.infer<typeof customerListSchema>;
