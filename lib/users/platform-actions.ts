"use server";

// Super-admins' help with anyone's account (from a customer's page): a reset link, and ending
// every session. Audited in the customer's trail when the user is a customer's.
import type { Tx } from "@/db/tenant";
import { userIdSchema } from "@/lib/auth/account-schemas";
import { NotFoundError, platformAction } from "@/lib/auth/action";
import { issueResetFor } from "@/lib/auth/resets";
import { endSessionsOf } from "@/lib/auth/sessions";
import { findAccount } from "./queries";

async function account(tx: Tx, userId: string) {
  const user = await findAccount(tx, { id: userId });
  if (!user) throw new NotFoundError();
  return user;
}

export const issueResetAnyAction = platformAction(
  {
    name: "passwords.reset-link",
    permission: "accounts.manage-any",
    schema: userIdSchema,
    revalidate: "/customers",
  },
  async (tx, { userId }, ctx, record) => {
    const user = await account(tx, userId);
    record.tenantId = user.tenantId ?? undefined;
    return issueResetFor(tx, user, ctx.user.email, record);
  },
);

export const endSessionsAnyAction = platformAction(
  {
    name: "sessions.end-all",
    permission: "accounts.manage-any",
    schema: userIdSchema,
    revalidate: "/customers",
  },
  async (tx, { userId }, ctx, record) => {
    const user = await account(tx, userId);
    record.tenantId = user.tenantId ?? undefined;
    return endSessionsOf(tx, user, ctx.user.email, record);
  },
);
