// Credential checks behind the sign-in form: throttled per email and per IP in PostgreSQL (so
// limits hold across restarts and processes), the same answer and similar work for an unknown
// email as for a wrong password, refusal for a customer that may not sign in, the second factor
// of an account that has one (its wrong codes throttled like wrong passwords), and the session
// record a successful sign-in starts.
import "server-only";
import { and, count, eq, gte, sql, type SQL } from "drizzle-orm";
import { signInAttempts, users } from "@/db/schema";
import { withSystem, type Tx } from "@/db/tenant";
import { insertAuditEvent } from "@/lib/audit/record";
import { hashPassword, verifyPassword } from "./passwords";
import { contextFor, selectAccounts } from "./resolve-context";
import { startSession } from "./sessions";
import { spendSecondFactor } from "./two-factor";

/**
 * Failures counted in a sliding window. Per email *and* IP, so an attacker's failures from one
 * address never lock the owner out from another; per IP across emails, against spraying; and a
 * ceiling per email across all IPs, against guessing from many addresses, which refuses only IPs
 * that have not signed in to that account before (the owner's own keep working).
 */
export const THROTTLE = {
  windowMinutes: 15,
  perEmailAndIp: 5,
  perIp: 20,
  perEmail: 50,
  knownIpDays: 30,
} as const;

export type SignInResult =
  | { ok: true; userId: string; email: string; displayName: string; sessionId: string }
  | {
      ok: false;
      reason: "invalid" | "throttled" | "customer-inactive" | "code-required" | "code-invalid";
      retryInMinutes?: number;
    };

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

// Verified against for unknown emails, so they cost the same argon2 work as a wrong password.
let decoyHash: Promise<string> | undefined;

/** Until when sign-ins (and second-factor codes) for `email` from `ip` are refused, if they are. */
export async function throttledUntil(
  tx: Tx,
  email: string,
  ip: string,
  now: Date,
): Promise<Date | null> {
  const windowStart = new Date(now.getTime() - THROTTLE.windowMinutes * 60_000);
  const failures = (...conditions: SQL[]) =>
    tx
      .select({ n: count(), oldest: sql<string>`min(${signInAttempts.at})` })
      .from(signInAttempts)
      .where(
        and(
          ...conditions,
          eq(signInAttempts.succeeded, false),
          gte(signInAttempts.at, windowStart),
        ),
      );
  const knownSince = new Date(now.getTime() - THROTTLE.knownIpDays * 86_400_000);
  // One after another: pg will not pipeline queries on one client (and warns that it will refuse).
  const [byPair] = await failures(eq(signInAttempts.email, email), eq(signInAttempts.ip, ip));
  const [byIp] = await failures(eq(signInAttempts.ip, ip));
  const [byEmail] = await failures(eq(signInAttempts.email, email));
  const [known] = await tx
    .select({ n: count() })
    .from(signInAttempts)
    .where(
      and(
        eq(signInAttempts.email, email),
        eq(signInAttempts.ip, ip),
        eq(signInAttempts.succeeded, true),
        gte(signInAttempts.at, knownSince),
      ),
    );
  const ceilingReached = byEmail.n >= THROTTLE.perEmail;
  const over = [
    byPair.n >= THROTTLE.perEmailAndIp ? byPair.oldest : null,
    byIp.n >= THROTTLE.perIp ? byIp.oldest : null,
    ceilingReached && known.n === 0 ? byEmail.oldest : null,
  ].filter((x): x is string => x !== null);
  // Raised once, when this attempt is the one that reaches the ceiling.
  if (byEmail.n === THROTTLE.perEmail) {
    await insertAuditEvent(tx, {
      action: "sign-ins.limit",
      outcome: "denied",
      targetType: "email",
      targetId: email,
      actorEmail: email,
      ip,
      details: {
        failures: byEmail.n,
        windowMinutes: THROTTLE.windowMinutes,
        note: "sign-ins to this account now refused from addresses it has not used before",
      },
    });
  }
  if (!over.length) return null;
  const until = new Date(
    Math.max(...over.map((oldest) => new Date(oldest).getTime())) + THROTTLE.windowMinutes * 60_000,
  );
  return until > now ? until : null;
}

export function retryInMinutes(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
}

export async function checkCredentials(
  input: { email: string; password: string; ip: string; code?: string; userAgent?: string },
  clock: Clock = systemClock,
): Promise<SignInResult> {
  const now = clock.now();
  const email = input.email.trim().toLowerCase();

  const { until, user } = await withSystem("sign-in", async (tx) => {
    const until = await throttledUntil(tx, email, input.ip, now);
    const [user] = await selectAccounts(tx).where(eq(users.emailKey, email));
    return { until, user };
  });

  if (until) {
    // Counted like any other failure, so hammering a locked account keeps it locked.
    await recordAttempt(email, input.ip, false, now);
    return { ok: false, reason: "throttled", retryInMinutes: retryInMinutes(until, now) };
  }

  decoyHash ??= hashPassword("decoy password that matches nothing");
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await decoyHash), input.password);
  const valid = Boolean(user && user.passwordHash && passwordOk && user.status === "active");
  if (!valid || !user) {
    await recordAttempt(email, input.ip, false, now);
    return { ok: false, reason: "invalid" };
  }
  // The password was right: now the same rule every request applies.
  if (!contextFor(user)) {
    await recordAttempt(email, input.ip, true, now);
    return { ok: false, reason: "customer-inactive" };
  }
  // An account with a second factor: the password alone starts nothing.
  const code = input.code?.trim();
  if (user.twoFactorEnabledAt && !code) return { ok: false, reason: "code-required" };

  return withSystem("sign-in", async (tx) => {
    const actor = { actorUserId: user.id, actorEmail: user.email, tenantId: user.customerId };
    let twoFactor = false;
    if (user.twoFactorEnabledAt) {
      const used = await spendSecondFactor(tx, user.id, code!, { recovery: true });
      if (!used.ok) {
        await insertAuditEvent(tx, {
          ...actor,
          action: "two-factor.verify",
          outcome: "failed",
          targetType: "user",
          targetId: user.id,
          ip: input.ip,
          details: { during: "sign-in" },
        });
        await tx.insert(signInAttempts).values({ email, ip: input.ip, succeeded: false, at: now });
        return { ok: false as const, reason: "code-invalid" as const };
      }
      if (used.via === "recovery code")
        await insertAuditEvent(tx, {
          ...actor,
          action: "two-factor.recovery-code",
          outcome: "ok",
          targetType: "user",
          targetId: user.id,
          ip: input.ip,
          details: { recoveryCodesLeft: used.recoveryCodesLeft },
        });
      twoFactor = true;
    }
    await tx.insert(signInAttempts).values({ email, ip: input.ip, succeeded: true, at: now });
    const sessionId = await startSession(tx, {
      userId: user.id,
      tenantId: user.platformRole === "super_admin" ? null : user.customerId,
      ip: input.ip,
      userAgent: input.userAgent ?? "",
      twoFactor,
    });
    return {
      ok: true as const,
      userId: user.id,
      email: user.email,
      displayName: user.displayName,
      sessionId,
    };
  });
}

/** One attempt, counted by the throttle: a password's, or a second factor's. */
export function recordAttempt(email: string, ip: string, succeeded: boolean, at: Date) {
  return withSystem("sign-in", (tx) =>
    tx.insert(signInAttempts).values({ email, ip, succeeded, at }),
  );
}

export function signInMessage(result: Extract<SignInResult, { ok: false }>): string {
  switch (result.reason) {
    case "throttled":
      return `Too many failed sign-ins. Try again in ${result.retryInMinutes} minute${result.retryInMinutes === 1 ? "" : "s"}.`;
    case "customer-inactive":
      return "Your organisation's access to the console is suspended. Contact the platform team.";
    case "code-required":
      return "code-required";
    case "code-invalid":
      return "The code is not right, or it was used already. Enter the current code from your authenticator app, or a recovery code.";
    default:
      return "The email or password is not right.";
  }
}
