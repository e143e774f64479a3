import { describe, expect, it } from "vitest";
import { adoptionOptionsSchema, planOptionsOf, readAdoptionOptions } from "./schemas";

describe("the dashboard's adoption options", () => {
  it("reads the URL: defaults, repeated checkboxes, a customer ID typed with dashes", () => {
    expect(readAdoptionOptions({})).toMatchObject({
      options: {
        schema: "app",
        tenant: "LEGACY001",
        column: "tenant_id",
        global: [],
        globalUnique: [],
      },
      errors: undefined,
    });
    const { options } = readAdoptionOptions({
      schema: "shop",
      tenant: "leg-acy 001",
      global: ["regions", "countries"],
      globalUnique: "users_email_key",
    });
    expect(options).toEqual({
      schema: "shop",
      tenant: "LEGACY001",
      column: "tenant_id",
      global: ["regions", "countries"],
      globalUnique: ["users_email_key"],
      via: [],
    });
  });

  it("reads a plan from a column: its column, tenants table, customer for NULLs and paths", () => {
    const { options, errors } = readAdoptionOptions({
      schema: "saas",
      fromColumn: "organization_id",
      tenantsTable: "organizations",
      nameColumn: "name",
      nullTenant: "legacy001",
      via: "comments=comments_task_id_fkey",
    });
    expect(errors).toBeUndefined();
    expect(planOptionsOf(options)).toMatchObject({
      from: {
        fromColumn: "organization_id",
        tenantsTable: "organizations",
        nameColumn: "name",
        nullTenant: "LEGACY001",
        via: { comments: "comments_task_id_fkey" },
      },
    });
    expect(readAdoptionOptions({ fromColumn: "Org ID", via: "comments" }).errors).toMatchObject({
      fromColumn: [expect.stringMatching(/^Use a lower-case SQL name/)],
      via: ["Write table=foreign_key, comma-separated."],
    });
    // Left empty, the form plans as before.
    expect(planOptionsOf(readAdoptionOptions({ fromColumn: "" }).options).from).toBeUndefined();
  });

  it("keeps what was typed beside its error, and plans with the defaults meanwhile", () => {
    const { options, errors, typed } = readAdoptionOptions({
      tenant: "nobody",
      column: "Tenant ID",
    });
    expect(options.tenant).toBe("LEGACY001");
    expect(errors).toMatchObject({
      tenant: ["Not a customer ID."],
      column: [expect.stringMatching(/^Use a lower-case SQL name/)],
    });
    expect(typed).toMatchObject({ tenant: "nobody", column: "Tenant ID" });
  });

  it("refuses a name that is not a plain identifier in the hidden lists the Run form sends", () => {
    const result = adoptionOptionsSchema.safeParse({
      schema: "app",
      tenant: "LEGACY001",
      column: "tenant_id",
      global: 'users,"x"; drop table y',
      globalUnique: "",
    });
    expect(result.success).toBe(false);
  });
});
