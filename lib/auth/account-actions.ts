"use server";

// One's own account (the /account page): the second factor and one's sessions. Every change is
// audited in the transaction that makes it (the account chain).
import { and, eq, ne } from "drizzle-orm";
import { z } from "zod";
import { sessions } from "@/db/schema";
import { accountAction, ActionError, NotFoundError } from "./action";
import { appCodeSchema, endSessionSchema } from "./account-schemas";
import { endSessions } from "./sessions";
import { TwoFactorKeyError } from "./totp";
import { requireFreshCode } from "./step-up";
import {
  beginEnrolment,
  confirmEnrolment,
  removeTwoFactor,
  replaceRecoveryCodes,
} from "./two-factor";

/** The key's absence is the operator's to fix; the user is told so in a sentence. */
async function keyed<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TwoFactorKeyError) throw new ActionError(error.message);
    throw error;
  }
}

export const beginTwoFactorAction = accountAction(
  { name: "two-factor.begin", permission: "account.manage", schema: z.object({}) },
  async (tx, _input, ctx) => {
    const enrolment = await keyed(() => beginEnrolment(tx, ctx.user));
    if (!enrolment) throw new ActionError("Two-factor is already on for your account.");
    return { ok: true, data: enrolment };
  },
);

export const confirmTwoFactorAction = accountAction(
  {
    // Nothing re-rendered: the page keeps the recovery codes on screen until the user goes on.
    name: "two-factor.enrol",
    permission: "account.manage",
    schema: appCodeSchema,
  },
  async (tx, { code }, ctx) => {
    const confirmed = await keyed(() => confirmEnrolment(tx, ctx.user.id, code));
    if (!confirmed)
      throw new ActionError(
        "That code does not match. Check that your app shows Tenantry, and enter its current code.",
      );
    // This session has now seen a second factor.
    if (ctx.sessionId)
      await tx.update(sessions).set({ twoFactor: true }).where(eq(sessions.id, ctx.sessionId));
    return {
      ok: true,
      message: "Two-factor is on. Keep these recovery codes somewhere safe: each works once.",
      data: { recoveryCodes: confirmed.recoveryCodes.join(" ") },
    };
  },
);

export const removeTwoFactorAction = accountAction(
  {
    name: "two-factor.remove",
    permission: "account.manage",
    schema: appCodeSchema,
    revalidate: "/",
  },
  async (tx, { code }, ctx) => {
    await keyed(() => requireFreshCode(tx, ctx, code, "turn two-factor off"));
    await removeTwoFactor(tx, ctx.user.id);
    return {
      ok: true,
      message:
        ctx.platformRole === "super_admin"
          ? "Two-factor is off. Super-admins need it: set it up again to go on."
          : "Two-factor is off.",
    };
  },
);

export const newRecoveryCodesAction = accountAction(
  {
    // Nothing re-rendered: the page keeps the new codes on screen until the user goes on.
    name: "two-factor.recovery-codes",
    permission: "account.manage",
    schema: appCodeSchema,
  },
  async (tx, { code }, ctx) => {
    await keyed(() => requireFreshCode(tx, ctx, code, "make new recovery codes"));
    const codes = await replaceRecoveryCodes(tx, ctx.user.id);
    if (!codes) throw new ActionError("Two-factor is not on for your account.");
    return {
      ok: true,
      message: "New recovery codes: the old ones no longer work. Keep these somewhere safe.",
      data: { recoveryCodes: codes.join(" ") },
    };
  },
);

export const endOwnSessionAction = accountAction(
  {
    name: "sessions.end",
    permission: "account.manage",
    schema: endSessionSchema,
    revalidate: "/account",
  },
  async (tx, { sessionId }, ctx, record) => {
    Object.assign(record, { targetType: "session", targetId: sessionId });
    const ended = await endSessions(
      tx,
      and(eq(sessions.id, sessionId), eq(sessions.userId, ctx.user.id)),
      "ended by the user",
    );
    if (!ended) throw new NotFoundError();
    return { ok: true, message: "The session has ended." };
  },
);

export const endOtherSessionsAction = accountAction(
  {
    name: "sessions.end-others",
    permission: "account.manage",
    schema: z.object({}),
    revalidate: "/account",
  },
  async (tx, _input, ctx, record) => {
    const ended = await endSessions(
      tx,
      and(
        eq(sessions.userId, ctx.user.id),
        ctx.sessionId ? ne(sessions.id, ctx.sessionId) : undefined,
      ),
      "ended by the user",
    );
    Object.assign(record, { details: { ended } });
    return {
      ok: true,
      message: ended
        ? `Ended ${ended} other session${ended === 1 ? "" : "s"}.`
        : "No other sessions were open.",
    };
  },
);
