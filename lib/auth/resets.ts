// Password reset links (docs/architecture.md §16). An admin issues one — a super-admin for
// anyone, a customer's admin for its own users (the tenant door: RLS keeps them to their own) —
// valid one hour, used once. Redeeming it has no signed-in user, so it goes through the system
// door by the token's hash alone: the row is locked, checked and marked in the transaction that
// sets the password and ends every session of the account.
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { passwordResets, sessions, users } from "@/db/schema";
import { afterCommit, withSystem, type Tx } from "@/db/tenant";
import { insertAuditEvent } from "@/lib/audit/record";
import { consoleLink } from "@/lib/http/links";
import { sendMail } from "@/lib/mail/transport";
import type { ActionAudit, ActionState } from "./action";
import { passwordProblem } from "./password-rules";
import { hashPassword } from "./passwords";
import { endSessions } from "./sessions";
import { systemClock, type Clock } from "./sign-in";
import { hashToken, newToken } from "./tokens";

export const RESET_TTL_MINUTES = 60;

export const INVALID_RESET =
  "This reset link is not valid: it may have expired or been used. Ask an admin for a new one.";

/**
 * Makes a link for `user` under the caller's door (the tenant's for its admins), sends it once
 * the transaction has committed through the mail transport (the server log, without a sender),
 * and answers it, to be shown once.
 */
export async function issueReset(
  tx: Tx,
  user: { id: string; email: string; tenantId: string | null },
  createdBy: string,
  options: { link?: (path: string) => Promise<string>; now?: Date } = {},
): Promise<{ id: string; link: string; expiresAt: Date }> {
  const now = options.now ?? new Date();
  const { token, tokenHash } = newToken();
  const expiresAt = new Date(now.getTime() + RESET_TTL_MINUTES * 60_000);
  const [row] = await tx
    .insert(passwordResets)
    .values({ userId: user.id, tenantId: user.tenantId, tokenHash, createdBy, expiresAt })
    .returning({ id: passwordResets.id });
  const link = await (options.link ?? consoleLink)(`/reset/${token}`);
  afterCommit(tx, () =>
    sendMail({
      to: user.email,
      subject: "Reset your Tenantry password",
      text: `Set a new password for ${user.email}. The link works once, for ${RESET_TTL_MINUTES} minutes: ${link}`,
    }),
  );
  return { id: row.id, link, expiresAt };
}

/** An admin's reset link for `user`: the audit record, and the link shown once. */
export async function issueResetFor(
  tx: Tx,
  user: { id: string; email: string; tenantId: string | null },
  by: string,
  record: ActionAudit,
): Promise<ActionState> {
  const reset = await issueReset(tx, user, by);
  Object.assign(record, {
    targetType: "user",
    targetId: user.id,
    details: { email: user.email, reset: reset.id },
  });
  return {
    ok: true,
    message: `Reset link for ${user.email}. Send it to them; it works once, for ${RESET_TTL_MINUTES} minutes.`,
    data: { link: reset.link },
  };
}

/** The account a link resets, while it is open: what the reset page shows. */
export async function findOpenReset(
  token: string,
  clock: Clock = systemClock,
): Promise<{ ok: true; email: string } | { ok: false; reason: string }> {
  const [row] = await withSystem(
    "account",
    (tx) =>
      tx
        .select({ email: users.email, expiresAt: passwordResets.expiresAt })
        .from(passwordResets)
        .innerJoin(users, eq(users.id, passwordResets.userId))
        .where(and(eq(passwordResets.tokenHash, hashToken(token)), isNull(passwordResets.usedAt))),
    { readOnly: true },
  );
  if (!row || row.expiresAt <= clock.now()) return { ok: false, reason: INVALID_RESET };
  return { ok: true, email: row.email };
}

/** Sets the new password once; every session of the account ends with it. */
export async function redeemReset(
  input: { token: string; password: string },
  clock: Clock = systemClock,
): Promise<{ ok: true; email: string } | { ok: false; reason: string; field?: "password" }> {
  const now = clock.now();
  const passwordHash = await hashPassword(input.password);
  return withSystem("account", async (tx) => {
    const [reset] = await tx
      .select({
        id: passwordResets.id,
        userId: passwordResets.userId,
        tenantId: passwordResets.tenantId,
        expiresAt: passwordResets.expiresAt,
        email: users.email,
      })
      .from(passwordResets)
      .innerJoin(users, eq(users.id, passwordResets.userId))
      .where(
        and(eq(passwordResets.tokenHash, hashToken(input.token)), isNull(passwordResets.usedAt)),
      )
      .for("update");
    if (!reset || reset.expiresAt <= now) return { ok: false, reason: INVALID_RESET };
    const problem = passwordProblem(input.password, reset.email);
    if (problem) return { ok: false, reason: problem, field: "password" };
    await tx.update(users).set({ passwordHash }).where(eq(users.id, reset.userId));
    await tx.update(passwordResets).set({ usedAt: now }).where(eq(passwordResets.id, reset.id));
    const ended = await endSessions(tx, eq(sessions.userId, reset.userId), "password reset", now);
    await insertAuditEvent(tx, {
      actorUserId: reset.userId,
      actorEmail: reset.email,
      tenantId: reset.tenantId,
      action: "passwords.reset",
      targetType: "user",
      targetId: reset.userId,
      outcome: "ok",
      details: { reset: reset.id, sessionsEnded: ended },
    });
    return { ok: true, email: reset.email };
  });
}
