// Credential checks behind the sign-in form: throttled per email and per IP in PostgreSQL (so
// limits hold across restarts and processes), the same answer and similar work for an unknown
// email as for a wrong password, and refusal for a customer that may not sign in.
import "server-only";
import { and, count, eq, gte, sql } from "drizzle-orm";
import { signInAttempts, users } from "@/db/schema";
import { withSystem } from "@/db/tenant";
import { hashPassword, verifyPassword } from "./passwords";
import { contextFor, selectAccounts } from "./resolve-context";

export const THROTTLE = { windowMinutes: 15, perEmail: 5, perIp: 20 } as const;

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
    const failures = (column: typeof signInAttempts.email | typeof signInAttempts.ip, value: string) =>
      tx
        .select({ n: count(), oldest: sql<string>`min(${signInAttempts.at})` })
        .from(signInAttempts)
        .where(and(eq(column, value), eq(signInAttempts.succeeded, false), gte(signInAttempts.at, windowStart)));
    const [[byEmail], [byIp]] = await Promise.all([failures(signInAttempts.email, email), failures(signInAttempts.ip, input.ip)]);
    const over = [
      byEmail.n >= THROTTLE.perEmail ? byEmail.oldest : null,
      byIp.n >= THROTTLE.perIp ? byIp.oldest : null,
    ].filter((x): x is string => x !== null);
    const throttledUntil = over.length
      ? new Date(Math.max(...over.map((oldest) => new Date(oldest).getTime())) + THROTTLE.windowMinutes * 60_000)
      : null;
    const [user] = await selectAccounts(tx).where(sql`lower(${users.email}) = ${email}`);
    return { throttledUntil, user };
  });

  if (throttledUntil && throttledUntil > now) {
    // Counted like any other failure, so hammering a locked account keeps it locked.
    await record(email, input.ip, false, now);
    return { ok: false, reason: "throttled", retryInMinutes: Math.max(1, Math.ceil((throttledUntil.getTime() - now.getTime()) / 60_000)) };
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
  return withSystem("sign-in", (tx) => tx.insert(signInAttempts).values({ email, ip, succeeded, at }));
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
