"use server";

import { and, eq } from "drizzle-orm";
import { memberships, users } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { ActionError, NotFoundError, tenantAction } from "@/lib/auth/action";
import { changeRoleSchema, removeUserSchema } from "./schemas";

/** The target membership, loaded by (tenant, user): another customer's user is not there. */
async function membershipOf(tx: Tx, tenantId: string, userId: string) {
  // Locks the customer's admin rows too, so two admins demoting each other cannot both win.
  const admins = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, "admin")))
    .for("update");
  const [target] = await tx
    .select({ role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  if (!target) throw new NotFoundError();
  const lastAdmin = target.role === "admin" && admins.length <= 1;
  return { ...target, lastAdmin };
}

export const changeRoleAction = tenantAction(
  {
    name: "users.change-role",
    permission: "users.manage",
    schema: changeRoleSchema,
    revalidate: "/users",
  },
  async (tx, { userId, role }, ctx, record) => {
    Object.assign(record, { targetType: "user", targetId: userId });
    const target = await membershipOf(tx, ctx.customer.id, userId);
    if (target.role === role)
      return {
        ok: true,
        message: `${target.email} is already ${role === "admin" ? "an admin" : "a member"}.`,
      };
    if (target.lastAdmin)
      throw new ActionError(`${target.email} is the last admin. Make someone else an admin first.`);
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.tenantId, ctx.customer.id), eq(memberships.userId, userId)));
    record.details = { email: target.email, before: { role: target.role }, after: { role } };
    return {
      ok: true,
      message: `${target.email} is now ${role === "admin" ? "an admin" : "a member"}.`,
    };
  },
);

export const removeUserAction = tenantAction(
  {
    name: "users.remove",
    permission: "users.manage",
    schema: removeUserSchema,
    revalidate: "/users",
  },
  async (tx, { userId }, ctx, record) => {
    Object.assign(record, { targetType: "user", targetId: userId });
    const target = await membershipOf(tx, ctx.customer.id, userId);
    if (target.lastAdmin)
      throw new ActionError(`${target.email} is the last admin and cannot be removed.`);
    // A console user belongs to one customer: removing them deletes the account (RLS lets a
    // tenant delete only users that are its members); the membership goes with it.
    await tx.delete(users).where(eq(users.id, userId));
    record.details = { email: target.email, role: target.role };
    return { ok: true, message: `${target.email} was removed.` };
  },
);
