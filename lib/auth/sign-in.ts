// Credential checks behind the sign-in form: throttled per email and per IP in PostgreSQL (so
// limits hold across restarts and processes), the same answer and similar work for an unknown
// email as for a wrong password, and refusal for a customer that may not sign in.
import "server-only";
import { and, count, eq, gte, sql, type SQL } from "drizzle-orm";
import { signInAttempts, users } from "@/db/schema";
import { withSystem } from "@/db/tenant";
import { insertAuditEvent } from "@/lib/audit/record";
import { hashPassword, verifyPassword } from "./passwords";
import { contextFor, selectAccounts } from "./resolve-context";

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
  | { ok: true; userId: string; email: string; displayName: string }
  | { ok: false; reason: "invalid" | "throttled" | "customer-inactive"; retryInMinutes?: number };

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

// Verified against for unknown emails, so they cost the same argon2 work as a wrong password.
let decoyHash: Promise<string> | undefined;

export async function checkCredentials(
  input: { email: string; password: string; ip: string },
  clock: Clock = systemClock,
): Promise<SignInResult> {
  const now = clock.now();
  const windowStart = new Date(now.getTime() - THROTTLE.windowMinutes * 60_000);
  const email = input.email.trim().toLowerCase();

  const { throttledUntil, user } = await withSystem("sign-in", async (tx) => {
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
    const [byPair] = await failures(
      eq(signInAttempts.email, email),
      eq(signInAttempts.ip, input.ip),
    );
    const [byIp] = await failures(eq(signInAttempts.ip, input.ip));
    const [byEmail] = await failures(eq(signInAttempts.email, email));
    const [known] = await tx
      .select({ n: count() })
      .from(signInAttempts)
      .where(
        and(
          eq(signInAttempts.email, email),
          eq(signInAttempts.ip, input.ip),
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
    const throttledUntil = over.length
      ? new Date(
          Math.max(...over.map((oldest) => new Date(oldest).getTime())) +
            THROTTLE.windowMinutes * 60_000,
        )
      : null;
    const [user] = await selectAccounts(tx).where(sql`lower(${users.email}) = ${email}`);
    // Raised once, when this attempt is the one that reaches the ceiling.
    if (byEmail.n === THROTTLE.perEmail) {
      await insertAuditEvent(tx, {
        action: "sign-ins.limit",
        outcome: "denied",
        targetType: "email",
        targetId: email,
        actorEmail: email,
        ip: input.ip,
        details: {
          failures: byEmail.n,
          windowMinutes: THROTTLE.windowMinutes,
          note: "sign-ins to this account now refused from addresses it has not used before",
        },
      });
    }
    return { throttledUntil, user };
  });

  if (throttledUntil && throttledUntil > now) {
    // Counted like any other failure, so hammering a locked account keeps it locked.
    await record(email, input.ip, false, now);
    return {
      ok: false,
      reason: "throttled",
      retryInMinutes: Math.max(1, Math.ceil((throttledUntil.getTime() - now.getTime()) / 60_000)),
    };
  }

  decoyHash ??= hashPassword("decoy password that matches nothing");
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await decoyHash), input.password);
  const valid = Boolean(user && user.passwordHash && passwordOk && user.status === "active");
  await record(email, input.ip, valid, now);
  if (!valid || !user) return { ok: false, reason: "invalid" };
  // The password was right: now the same rule every request applies.
  if (!contextFor(user)) return { ok: false, reason: "customer-inactive" };
  return { ok: true, userId: user.id, email: user.email, displayName: user.displayName };
}

function record(email: string, ip: string, succeeded: boolean, at: Date) {
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
    default:
      return "The email or password is not right.";
  }
}
