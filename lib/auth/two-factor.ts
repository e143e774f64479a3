// A user's second factor in the database (docs/architecture.md §16), through the system door's
// transaction the caller holds (sign-in's, or the account chain's): enrolment, the check of a
// code (each time step once), recovery codes (each once), removal.
import "server-only";
import { and, eq, isNotNull, isNull, or, lt, sql } from "drizzle-orm";
import { twoFactor } from "@/db/schema";
import { withSystem, type Tx } from "@/db/tenant";
import {
  enrolmentCode,
  hasSealingKey,
  newRecoveryCodes,
  newTotpSecret,
  openSecret,
  RECOVERY_CODE,
  recoveryCodeHash,
  sealSecret,
  totpStep,
} from "./totp";

export interface TwoFactorStatus {
  enabledAt: Date | null;
  recoveryCodesLeft: number;
}

export async function twoFactorStatus(tx: Tx, userId: string): Promise<TwoFactorStatus> {
  const [row] = await tx
    .select({
      enabledAt: twoFactor.enabledAt,
      left: sql<number>`cardinality(${twoFactor.recoveryCodes})`,
    })
    .from(twoFactor)
    .where(eq(twoFactor.userId, userId));
  return { enabledAt: row?.enabledAt ?? null, recoveryCodesLeft: row?.left ?? 0 };
}

/**
 * A new secret, pending until a first code confirms it (replacing an earlier pending one); what
 * the enrolment page shows. Null when the user already has a second factor.
 */
export async function beginEnrolment(
  tx: Tx,
  user: { id: string; email: string },
): Promise<{ secret: string; uri: string; qr: string } | null> {
  const secret = newTotpSecret();
  const sealed = sealSecret(secret);
  const [row] = await tx
    .insert(twoFactor)
    .values({ userId: user.id, secret: sealed })
    .onConflictDoUpdate({
      target: twoFactor.userId,
      set: { secret: sealed, lastStep: null, recoveryCodes: [], createdAt: new Date() },
      setWhere: isNull(twoFactor.enabledAt),
    })
    .returning({ userId: twoFactor.userId });
  if (!row) return null;
  return { secret, ...(await enrolmentCode(user.email, secret)) };
}

/** Turns the pending secret on with its first code; the recovery codes, shown once. */
export async function confirmEnrolment(
  tx: Tx,
  userId: string,
  code: string,
): Promise<{ recoveryCodes: string[] } | null> {
  const [pending] = await tx
    .select()
    .from(twoFactor)
    .where(and(eq(twoFactor.userId, userId), isNull(twoFactor.enabledAt)))
    .for("update");
  if (!pending) return null;
  const step = await totpStep(openSecret(pending.secret), code, null);
  if (step === null) return null;
  const { codes, hashes } = newRecoveryCodes();
  await tx
    .update(twoFactor)
    .set({ enabledAt: new Date(), lastStep: step, recoveryCodes: hashes })
    .where(eq(twoFactor.userId, userId));
  return { recoveryCodes: codes };
}

export type SecondFactor =
  | { ok: true; via: "code" }
  | { ok: true; via: "recovery code"; recoveryCodesLeft: number }
  | { ok: false };

/**
 * Checks a code from the authenticator app — or, where `recovery` allows, a recovery code — and
 * uses it up: the code's time step (and every earlier one) never works again, a recovery code is
 * gone. Two requests racing with one code: one wins.
 */
export async function spendSecondFactor(
  tx: Tx,
  userId: string,
  input: string,
  options: { recovery: boolean },
): Promise<SecondFactor> {
  const code = input.replace(/\s/g, "");
  const [row] = await tx
    .select()
    .from(twoFactor)
    .where(and(eq(twoFactor.userId, userId), isNotNull(twoFactor.enabledAt)));
  if (!row) return { ok: false };
  if (options.recovery && RECOVERY_CODE.test(code) && !/^\d+$/.test(code)) {
    const hash = recoveryCodeHash(code);
    const [used] = await tx
      .update(twoFactor)
      .set({ recoveryCodes: sql`array_remove(${twoFactor.recoveryCodes}, ${hash})` })
      .where(and(eq(twoFactor.userId, userId), sql`${hash} = any(${twoFactor.recoveryCodes})`))
      .returning({ left: sql<number>`cardinality(${twoFactor.recoveryCodes})` });
    return used ? { ok: true, via: "recovery code", recoveryCodesLeft: used.left } : { ok: false };
  }
  const step = await totpStep(openSecret(row.secret), code, row.lastStep);
  if (step === null) return { ok: false };
  const [taken] = await tx
    .update(twoFactor)
    .set({ lastStep: step })
    .where(
      and(
        eq(twoFactor.userId, userId),
        or(isNull(twoFactor.lastStep), lt(twoFactor.lastStep, step)),
      ),
    )
    .returning({ userId: twoFactor.userId });
  return taken ? { ok: true, via: "code" } : { ok: false };
}

/** New recovery codes for a factor that is on, replacing every old one; shown once. */
export async function replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[] | null> {
  const { codes, hashes } = newRecoveryCodes();
  const [replaced] = await tx
    .update(twoFactor)
    .set({ recoveryCodes: hashes })
    .where(and(eq(twoFactor.userId, userId), isNotNull(twoFactor.enabledAt)))
    .returning({ userId: twoFactor.userId });
  return replaced ? codes : null;
}

export async function removeTwoFactor(tx: Tx, userId: string): Promise<boolean> {
  const removed = await tx
    .delete(twoFactor)
    .where(eq(twoFactor.userId, userId))
    .returning({ userId: twoFactor.userId });
  return removed.length > 0;
}

/**
 * Why the server may not start, or null: users have a second factor on, and TOTP_ENCRYPTION_KEY
 * is missing or does not open their secrets (tried on one of them).
 */
export async function twoFactorKeyProblem(): Promise<string | null> {
  const [row] = await withSystem(
    "account",
    (tx) =>
      tx
        .select({
          users: sql<number>`count(*)::int`,
          sample: sql<string>`min(${twoFactor.secret})`,
        })
        .from(twoFactor)
        .where(isNotNull(twoFactor.enabledAt)),
    { readOnly: true },
  );
  if (row.users === 0) return null;
  if (!hasSealingKey())
    return `${row.users} user${row.users === 1 ? " has" : "s have"} two-factor on, and TOTP_ENCRYPTION_KEY is not set (at least 32 characters): their codes could not be checked.`;
  try {
    openSecret(row.sample);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
