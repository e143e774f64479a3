// Sessions (docs/architecture.md §16): each sign-in makes a record, its JWT carries the record's
// ID, and the request context checks it on every request, so ending a session (the user, an
// admin, a password reset, a suspension, the idle timeout) signs its browser out at its next
// request however long the JWT has left.
import "server-only";
import { and, desc, eq, isNull, sql, type SQL } from "drizzle-orm";
import { sessions } from "@/db/schema";
import { withSystem, type Tx } from "@/db/tenant";
import type { ActionAudit, ActionState } from "./action";

/** The absolute lifetime: the JWT's, and the session record's. */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;
/** A session's last-seen time is written at most this often (not on every request). */
const TOUCH_EVERY_MS = 60_000;

function minutesFrom(variable: string, fallback: number): number {
  const value = Number(process.env[variable]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Idle minutes before a session ends: SESSION_IDLE_MINUTES for super-admins (60), else 240. */
export function idleMinutes(superAdmin: boolean): number {
  return superAdmin
    ? minutesFrom("SESSION_IDLE_MINUTES", 60)
    : minutesFrom("CUSTOMER_SESSION_IDLE_MINUTES", 240);
}

export type Session = typeof sessions.$inferSelect;

export async function startSession(
  tx: Tx,
  session: {
    userId: string;
    tenantId: string | null;
    ip: string;
    userAgent: string;
    twoFactor: boolean;
  },
): Promise<string> {
  const [row] = await tx
    .insert(sessions)
    .values({ ...session, userAgent: session.userAgent.slice(0, 400) })
    .returning({ id: sessions.id });
  return row.id;
}

/** Why a session may not go on (its end reason), or null while it is live. */
export function sessionEnd(
  session: Session | undefined,
  userId: string,
  superAdmin: boolean,
  now: Date,
): string | null {
  if (!session || session.userId !== userId) return "unknown";
  if (session.endedAt) return session.endReason ?? "ended";
  if (now.getTime() - session.createdAt.getTime() > SESSION_MAX_AGE_SECONDS * 1000)
    return "expired";
  if (now.getTime() - session.lastSeenAt.getTime() > idleMinutes(superAdmin) * 60_000)
    return "idle";
  return null;
}

export function needsTouch(session: Session, now: Date): boolean {
  return now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS;
}

export function touchSession(tx: Tx, id: string, now: Date) {
  return tx
    .update(sessions)
    .set({ lastSeenAt: now })
    .where(and(eq(sessions.id, id), isNull(sessions.endedAt)));
}

/** Ends the open sessions `where` picks (under the caller's door); how many it ended. */
export async function endSessions(
  tx: Tx,
  where: SQL | undefined,
  reason: string,
  now = new Date(),
) {
  const ended = await tx
    .update(sessions)
    .set({ endedAt: now, endReason: reason })
    .where(and(where, isNull(sessions.endedAt)))
    .returning({ id: sessions.id });
  return ended.length;
}

/** An admin ends every open session of `user`; the audit record and the form's sentence. */
export async function endSessionsOf(
  tx: Tx,
  user: { id: string; email: string },
  by: string,
  record: ActionAudit,
): Promise<ActionState> {
  const ended = await endSessions(tx, eq(sessions.userId, user.id), `ended by ${by}`);
  Object.assign(record, {
    targetType: "user",
    targetId: user.id,
    details: { email: user.email, ended },
  });
  return {
    ok: true,
    message: ended
      ? `Ended ${ended} session${ended === 1 ? "" : "s"} of ${user.email}.`
      : `${user.email} had no open session.`,
  };
}

/** Signing out ends the session its JWT names. */
export function endSignedOutSession(id: string) {
  return withSystem("account", (tx) => endSessions(tx, eq(sessions.id, id), "signed out"));
}

/** A user's sessions, open ones first, newest first; the last 50. */
export function listSessions(tx: Tx, userId: string) {
  return tx
    .select()
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(sql`${sessions.endedAt} is not null`, desc(sessions.lastSeenAt))
    .limit(50);
}

/** A short name for a browser from its User-Agent: "Chrome on Linux". */
export function deviceName(userAgent: string): string {
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrome\/|Chromium\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : /curl|node|undici/i.test(userAgent)
            ? "A script"
            : "A browser";
  const system = /Windows/.test(userAgent)
    ? "Windows"
    : /Android/.test(userAgent)
      ? "Android"
      : /iPhone|iPad/.test(userAgent)
        ? "iOS"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  return system ? `${browser} on ${system}` : browser;
}
