"use server";

import { eq } from "drizzle-orm";
import { customers } from "@/db/schema";
import { userIdSchema } from "@/lib/auth/account-schemas";
import { ActionError, tenantAction } from "@/lib/auth/action";
import { issueResetFor } from "@/lib/auth/resets";
import { endSessionsOf } from "@/lib/auth/sessions";
import { membershipOf, removeUser, setRole, setStatus } from "./mutations";
import {
  changeRoleSchema,
  removeUserSchema,
  requireTwoFactorSchema,
  setStatusSchema,
} from "./schemas";

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

/** A reset link for one of the customer's users: shown once here, and sent (the server log). */
export const issueResetAction = tenantAction(
  {
    name: "passwords.reset-link",
    permission: "users.manage",
    schema: userIdSchema,
    revalidate: "/users",
  },
  async (tx, { userId }, ctx, record) => {
    record.targetId = userId;
    const { email } = await membershipOf(tx, ctx.customer.id, userId);
    return issueResetFor(
      tx,
      { id: userId, email, tenantId: ctx.customer.id },
      ctx.user.email,
      record,
    );
  },
);

/** Ends every open session of one of the customer's users. */
export const endUserSessionsAction = tenantAction(
  {
    name: "sessions.end-all",
    permission: "users.manage",
    schema: userIdSchema,
    revalidate: "/users",
  },
  async (tx, { userId }, ctx, record) => {
    record.targetId = userId;
    const { email } = await membershipOf(tx, ctx.customer.id, userId);
    return endSessionsOf(tx, { id: userId, email }, ctx.user.email, record);
  },
);

/** Suspends a user (their sessions end with it) or lets them back. */
export const setUserStatusAction = tenantAction(
  {
    name: "users.set-status",
    permission: "users.manage",
    schema: setStatusSchema,
    revalidate: "/users",
  },
  async (tx, { userId, status }, ctx, record) => {
    Object.assign(record, { targetType: "user", targetId: userId });
    const target = await membershipOf(tx, ctx.customer.id, userId);
    if (status === "disabled" && userId === ctx.user.id)
      throw new ActionError("You cannot suspend yourself.");
    if (status === "disabled" && target.lastAdmin)
      throw new ActionError(`${target.email} is the last admin and cannot be suspended.`);
    await setStatus(tx, userId, status);
    record.details = { email: target.email, status };
    return {
      ok: true,
      message:
        status === "disabled"
          ? `${target.email} is suspended; their sessions have ended.`
          : `${target.email} can sign in again.`,
    };
  },
);

/** Whether the customer's users must sign in with a second factor. */
export const requireTwoFactorAction = tenantAction(
  {
    name: "organisation.require-two-factor",
    permission: "users.manage",
    schema: requireTwoFactorSchema,
    revalidate: "/",
  },
  async (tx, { require }, ctx, record) => {
    await tx
      .update(customers)
      .set({ requireTwoFactor: require === "on" })
      .where(eq(customers.id, ctx.customer.id));
    Object.assign(record, {
      targetType: "customer",
      targetId: ctx.customer.id,
      details: { requireTwoFactor: require === "on" },
    });
    return {
      ok: true,
      message:
        require === "on"
          ? "Two-factor is now required: users without it set it up at their next page."
          : "Two-factor is now optional for your users.",
    };
  },
);
