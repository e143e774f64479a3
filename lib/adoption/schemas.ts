// What the adoption dashboard's forms send: the target schema and the plan's options, shared by
// the page (reading the URL), the forms and the actions.
import { z } from "zod";
import { customerIdSchema } from "@/lib/customers/schemas";
import type { PlanOptions } from "./plan";

/** A plain SQL identifier; anything else never reaches the engine's quoting. */
export const identifierSchema = z
  .string()
  .trim()
  .max(63)
  .regex(/^[a-z_][a-z0-9_$]*$/, {
    message: "Use a lower-case SQL name: letters, digits and underscores.",
  });

/** A comma-separated list, as a hidden field carries it, each item checked by `item`. */
const commaList = (item: z.ZodString) =>
  z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

const identifierList = commaList(identifierSchema);

export const schemaTargetSchema = z.object({ schema: identifierSchema });

/** An identifier, or nothing when the field is left empty. */
const optionalIdentifier = z
  .string()
  .trim()
  .optional()
  .transform((s) => s || undefined)
  .pipe(identifierSchema.optional());

/** `table=foreign_key` pairs, comma-separated: the path a table takes to the column. */
const viaList = commaList(
  z.string().regex(/^[a-z_][a-z0-9_$]*=[a-z_][a-z0-9_$]*$/, {
    message: "Write table=foreign_key, comma-separated.",
  }),
);

export const adoptionOptionsSchema = z.object({
  schema: identifierSchema,
  tenant: customerIdSchema,
  column: identifierSchema,
  global: identifierList,
  globalUnique: identifierList,
  // A schema multi-tenant in the application already (docs/architecture.md §9).
  fromColumn: optionalIdentifier,
  tenantsTable: optionalIdentifier,
  nameColumn: optionalIdentifier,
  nullTenant: z
    .string()
    .optional()
    .transform((s) => s?.trim() || undefined)
    .pipe(customerIdSchema.optional()),
  via: viaList,
});

/** Run's form: the options, and the confirmation a live customer as the owner needs (its ID, ticked). */
export const runAdoptionSchema = adoptionOptionsSchema.extend({
  confirmOwner: z.string().max(20).optional(),
});

export type AdoptionOptionsInput = z.infer<typeof adoptionOptionsSchema>;

export const DEFAULT_ADOPTION_OPTIONS = {
  schema: "app",
  tenant: "LEGACY001",
  column: "tenant_id",
  global: [] as string[],
  globalUnique: [] as string[],
  via: [] as string[],
} as AdoptionOptionsInput;

/** The engine's plan options from the form's. */
export function planOptionsOf(input: AdoptionOptionsInput): PlanOptions {
  return {
    tenantForExisting: input.tenant,
    column: input.column,
    globalTables: input.global,
    globalUniques: input.globalUnique,
    ...(input.fromColumn
      ? {
          from: {
            fromColumn: input.fromColumn,
            tenantsTable: input.tenantsTable,
            nameColumn: input.nameColumn,
            nullTenant: input.nullTenant,
            via: Object.fromEntries(input.via.map((pair) => pair.split("="))),
          },
        }
      : {}),
  };
}

/** The plan's options from the page's URL; a bad value falls back to the default and is reported. */
export function readAdoptionOptions(params: Record<string, string | string[] | undefined>) {
  const list = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(",") : (v ?? ""));
  const parsed = adoptionOptionsSchema.safeParse({
    schema: typeof params.schema === "string" ? params.schema : DEFAULT_ADOPTION_OPTIONS.schema,
    tenant: typeof params.tenant === "string" ? params.tenant : DEFAULT_ADOPTION_OPTIONS.tenant,
    column: typeof params.column === "string" ? params.column : DEFAULT_ADOPTION_OPTIONS.column,
    global: list(params.global),
    globalUnique: list(params.globalUnique),
    fromColumn: typeof params.fromColumn === "string" ? params.fromColumn : undefined,
    tenantsTable: typeof params.tenantsTable === "string" ? params.tenantsTable : undefined,
    nameColumn: typeof params.nameColumn === "string" ? params.nameColumn : undefined,
    nullTenant: typeof params.nullTenant === "string" ? params.nullTenant : undefined,
    via: list(params.via),
  });
  if (parsed.success) return { options: parsed.data, errors: undefined, typed: parsed.data };
  // The plan falls back to the defaults; the form keeps what was typed, beside its error.
  const text = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);
  const typed = {
    ...DEFAULT_ADOPTION_OPTIONS,
    tenant: String(params.tenant ?? ""),
    column: String(params.column ?? ""),
    fromColumn: text(params.fromColumn),
    tenantsTable: text(params.tenantsTable),
    nameColumn: text(params.nameColumn),
    nullTenant: text(params.nullTenant),
    via: list(params.via).split(",").filter(Boolean),
  };
  return {
    options: DEFAULT_ADOPTION_OPTIONS,
    errors: z.flattenError(parsed.error).fieldErrors,
    typed,
  };
}

/** An adoption run's ID in a path (the status API). */
export const runIdSchema = z.object({ id: z.uuid({ message: "A run's ID is a UUID." }) });
