// The platform API's inputs and answers (docs/architecture.md §14): the zod schemas the route
// chain parses with, which also make the OpenAPI document (lib/api/openapi.ts), so the document
// is the code.
import { z } from "zod";
import { customerIdSchema } from "@/lib/customers/schemas";

export const customerResponse = z
  .object({
    id: z.string().meta({ example: "Q53J2YJBZ" }),
    name: z.string(),
    status: z.string().meta({ description: "trial, active, suspended, offboarding, …" }),
    plan: z.string(),
    createdAt: z.iso.datetime(),
    limits: z.object({
      users: z.number().int(),
      rows: z.number().int(),
      storageBytes: z.number().int(),
      apiCallsMonth: z.number().int(),
      rateLimitPerMinute: z.number().int(),
    }),
  })
  .meta({ id: "Customer", description: "The key's customer." });

export const usageQuery = z
  .object({
    days: z.coerce
      .number({ message: "days is a number." })
      .int("days is a whole number.")
      .min(1, "days is at least 1.")
      .max(90, "days is at most 90.")
      .default(30)
      .meta({ description: "How many days of trend (1–90)." }),
  })
  .strict();

export const usageResponse = z
  .object({
    customer: z.string(),
    takenAt: z.iso
      .datetime()
      .nullable()
      .meta({ description: "When the latest figures were taken." }),
    figures: z.record(z.string(), z.number()).meta({
      description: "The latest figures: users.total, rows.total, storage.bytes, actions.30d, …",
    }),
    trend: z.array(z.object({ day: z.string(), rows: z.number() })).meta({
      description:
        "rows.total, the last value of each day a usage run took place (a day without one is left out).",
    }),
    apiCalls: z.object({ month: z.string(), calls: z.number().int(), limit: z.number().int() }),
    events: z
      .array(z.object({ kind: z.string(), quantity: z.number().int(), events: z.number().int() }))
      .meta({ description: "Metered events this month (UTC), per kind." }),
  })
  .meta({ id: "Usage" });

const eventSchema = z
  .object({
    id: z
      .string({ message: "Each event needs an id." })
      .min(1, "An event's id is not empty.")
      .max(100, "An event's id is at most 100 characters.")
      .meta({ description: "Yours: an event sent twice is counted once." }),
    kind: z
      .string({ message: "Each event needs a kind." })
      .regex(
        /^[a-z][a-z0-9_.:-]{0,63}$/,
        "An event's kind is lower-case letters, digits and _.:- (up to 64).",
      ),
    quantity: z
      .number({ message: "An event's quantity is a number." })
      .int("An event's quantity is a whole number.")
      .min(0, "An event's quantity is not negative.")
      .max(1e12, "An event's quantity is at most 10^12.")
      .default(1),
    occurredAt: z.iso
      .datetime({ message: "occurredAt is an ISO 8601 date and time.", offset: true })
      .optional()
      .meta({ description: "When it happened; the time it arrived if left out." }),
  })
  .strict();

export const usageEventsBody = z
  .object({
    events: z
      .array(eventSchema, { message: "events is a list." })
      .min(1, "Send at least one event.")
      .max(1000, "At most 1 000 events a batch."),
  })
  .strict()
  .meta({ id: "UsageEvents" });

export const usageEventsResponse = z
  .object({
    accepted: z.number().int().meta({ description: "Events counted now." }),
    duplicates: z.number().int().meta({ description: "Events already counted (same id)." }),
  })
  .meta({ id: "UsageEventsResult" });

export const emptyQuery = z.object({}).strict();

/** The console's form for a new key: its name, scopes (one checkbox each) and expiry. */
const keyForm = z.object({
  name: z
    .string({ message: "Name the key." })
    .trim()
    .min(1, "Name the key, e.g. after the system that will use it.")
    .max(80, "A key's name is at most 80 characters."),
  "scope.usage:read": z.literal("on").optional(),
  "scope.usage:write": z.literal("on").optional(),
  "scope.customer:read": z.literal("on").optional(),
  expiresInDays: z.enum(["30", "90", "365", "never"], { message: "Choose when it expires." }),
});

/** The form as a key's input: the checked scopes (at least one), the expiry in days or none. */
function asKey<F extends z.infer<typeof keyForm>>(form: F, ctx: z.RefinementCtx) {
  const scopes = (["usage:read", "usage:write", "customer:read"] as const).filter(
    (s) => form[`scope.${s}`] === "on",
  );
  if (!scopes.length) {
    ctx.addIssue({ code: "custom", path: ["scopes"], message: "Choose at least one scope." });
    return z.NEVER;
  }
  return {
    name: form.name,
    scopes,
    expiresInDays: form.expiresInDays === "never" ? undefined : Number(form.expiresInDays),
  };
}

export const newKeySchema = keyForm.transform(asKey);

/** A super-admin's key for any customer: the same form, with the customer. */
export const newCustomerKeySchema = keyForm
  .extend({ customer: customerIdSchema })
  .transform((form, ctx) => {
    const key = asKey(form, ctx);
    return key === z.NEVER ? z.NEVER : { customer: form.customer, ...key };
  });

export const newPlatformTokenSchema = z.object({
  name: z
    .string({ message: "Name the token." })
    .trim()
    .min(1, "Name the token, e.g. after the tool that will use it.")
    .max(80, "A token's name is at most 80 characters."),
  expiresInDays: z.enum(["30", "90", "365", "never"], { message: "Choose when it expires." }),
});

export const keyIdSchema = z.object({ id: z.uuid({ message: "A key's ID is a UUID." }) });
