"use server";

import { ActionError, tenantAction } from "@/lib/auth/action";
import { membershipOf, removeUser, setRole } from "./mutations";
import { changeRoleSchema, removeUserSchema } from "./schemas";

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
    await setRole(tx, ctx.customer.id, userId, role);
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
    await removeUser(tx, userId);
    record.details = { email: target.email, role: target.role };
    return { ok: true, message: `${target.email} was removed.` };
  },
);
