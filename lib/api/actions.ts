"use server";

import { eq } from "drizzle-orm";
import { apiKeys } from "@/db/schema";
import { ActionError, platformAction, tenantAction, type ActionAudit } from "@/lib/auth/action";
import { createKey, revokeKey } from "./keys";
import { keyIdSchema, newCustomerKeySchema, newKeySchema, newPlatformTokenSchema } from "./schemas";

/** A new key recorded for the audit (by its prefix) and shown once. */
function shownOnce(
  record: ActionAudit,
  made: { id: string; prefix: string; key: string },
  details: Record<string, unknown>,
) {
  Object.assign(record, {
    targetType: "api_key",
    targetId: made.id,
    details: { prefix: made.prefix, ...details },
  });
  return {
    ok: true as const,
    message: "Copy it now: it is shown only once, and only its hash is kept.",
    data: { key: made.key },
  };
}

/** A customer admin's new key for their own customer, shown once. */
export const createApiKeyAction = tenantAction(
  {
    name: "api-keys.create",
    permission: "api-keys.manage",
    schema: newKeySchema,
    revalidate: "/api-keys",
  },
  async (tx, input, ctx, record) => {
    const made = await createKey(tx, ctx.customer.id, input, ctx.user.email);
    return shownOnce(record, made, { name: input.name, scopes: input.scopes });
  },
);

/** A customer admin revokes one of their customer's keys: it fails at its next request. */
export const revokeApiKeyAction = tenantAction(
  {
    name: "api-keys.revoke",
    permission: "api-keys.manage",
    schema: keyIdSchema,
    revalidate: "/api-keys",
  },
  async (tx, input, ctx, record) => {
    Object.assign(record, { targetType: "api_key", targetId: input.id });
    const revoked = await revokeKey(tx, ctx.customer.id, input.id, ctx.user.email);
    if (!revoked) throw new ActionError("That key is revoked already, or not there.");
    Object.assign(record, { details: { prefix: revoked.prefix } });
    return { ok: true, message: `${revoked.prefix} is revoked.` };
  },
);

/** A super-admin's key for any customer (audited on that customer's trail too). */
export const createCustomerKeyAction = platformAction(
  {
    name: "api-keys.create",
    permission: "api-keys.manage-any",
    schema: newCustomerKeySchema,
    revalidate: "/customers",
  },
  async (tx, input, ctx, record) => {
    const made = await createKey(tx, input.customer, input, ctx.user.email);
    record.tenantId = input.customer;
    return shownOnce(record, made, { name: input.name, scopes: input.scopes });
  },
);

/** A platform token, for operations tooling: reads the moves and adoptions status API. */
export const createPlatformTokenAction = platformAction(
  {
    name: "api-keys.create-platform",
    permission: "api-keys.manage-any",
    schema: newPlatformTokenSchema,
    revalidate: "/databases",
  },
  async (tx, input, ctx, record) => {
    const made = await createKey(
      tx,
      null,
      {
        name: input.name,
        scopes: ["platform:read"],
        expiresInDays: input.expiresInDays === "never" ? undefined : Number(input.expiresInDays),
      },
      ctx.user.email,
    );
    return shownOnce(record, made, { name: input.name });
  },
);

/** A super-admin revokes any key, a customer's or a platform token. */
export const revokeAnyKeyAction = platformAction(
  {
    name: "api-keys.revoke",
    permission: "api-keys.manage-any",
    schema: keyIdSchema,
    revalidate: "/",
  },
  async (tx, input, ctx, record) => {
    const [key] = await tx
      .select({ tenantId: apiKeys.tenantId })
      .from(apiKeys)
      .where(eq(apiKeys.id, input.id));
    Object.assign(record, {
      targetType: "api_key",
      targetId: input.id,
      tenantId: key?.tenantId ?? undefined,
    });
    const revoked = key ? await revokeKey(tx, key.tenantId, input.id, ctx.user.email) : null;
    if (!revoked) throw new ActionError("That key is revoked already, or not there.");
    Object.assign(record, { details: { prefix: revoked.prefix } });
    return { ok: true, message: `${revoked.prefix} is revoked.` };
  },
);
