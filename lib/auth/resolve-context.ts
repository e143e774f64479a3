// Who a signed-in user is allowed to be right now: role, customer and membership — or, for a
// super-admin, the customer they have switched into — re-read from the database on every
// request (docs/architecture.md §1), so a removed membership, a suspended customer or an ended
// switch takes effect at the next request.
import "server-only";
import { and, eq, getTableColumns, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { customers, memberships, sessions, switches, twoFactor, users } from "@/db/schema";
import { withSystem, type Tx } from "@/db/tenant";
import { insertAuditEvent } from "@/lib/audit/record";
import { isBlocked } from "@/lib/customers/lifecycle";
import type { Role } from "./permissions";
import { endSessions, needsTouch, sessionEnd, touchSession } from "./sessions";

export interface ActiveSwitch {
  id: string;
  mode: "read" | "write";
  reason: string;
  startedAt: Date;
  expiresAt: Date;
}

export interface RequestContext {
  user: { id: string; email: string; displayName: string };
  platformRole: "super_admin" | null;
  /** The customer whose data this request may touch: the membership's, or the switch's. */
  customer: { id: string; name: string; status: string; trialEndsAt?: Date | null } | null;
  membershipRole: "admin" | "member" | null;
  activeSwitch: ActiveSwitch | null;
  /**
   * The role the permissions table is read with ("switched" while a super-admin is switched;
   * "enrolling" while a user who needs a second factor has none).
   */
  role: Role;
  /** The user has a second factor on. */
  twoFactor: boolean;
  /** The session record the request's JWT names (null outside a browser session). */
  sessionId: string | null;
}

const switchCustomers = alias(customers, "switch_customers");

/**
 * A console user with the membership, customer and open switch that decide what they may do, and
 * the session `sessionId` names (whoever's it is; null without one), read in the same statement.
 */
export function selectAccounts(tx: Tx, sessionId?: string) {
  return tx
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      passwordHash: users.passwordHash,
      status: users.status,
      platformRole: users.platformRole,
      membershipRole: memberships.role,
      customerId: customers.id,
      customerName: customers.name,
      customerStatus: customers.status,
      customerTrialEndsAt: customers.trialEndsAt,
      customerRequireTwoFactor: customers.requireTwoFactor,
      twoFactorEnabledAt: twoFactor.enabledAt,
      switchId: switches.id,
      switchMode: switches.mode,
      switchReason: switches.reason,
      switchStartedAt: switches.startedAt,
      switchExpiresAt: switches.expiresAt,
      switchTenantId: switches.tenantId,
      switchCustomerName: switchCustomers.name,
      switchCustomerStatus: switchCustomers.status,
      switchCustomerTrialEndsAt: switchCustomers.trialEndsAt,
      session: getTableColumns(sessions),
    })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(customers, eq(customers.id, memberships.tenantId))
    .leftJoin(switches, and(eq(switches.superAdminId, users.id), isNull(switches.endedAt)))
    .leftJoin(switchCustomers, eq(switchCustomers.id, switches.tenantId))
    .leftJoin(twoFactor, eq(twoFactor.userId, users.id))
    .leftJoin(sessions, sessionId ? eq(sessions.id, sessionId) : sql`false`);
}

type Account = Awaited<ReturnType<typeof selectAccounts>>[number];

/** The one rule of who may act: an active user who is a super-admin or a member of a live customer. */
export function contextFor(
  account: Account,
  now = new Date(),
  sessionId: string | null = null,
): RequestContext | null {
  if (account.status !== "active") return null;
  const user = { id: account.id, email: account.email, displayName: account.displayName };
  const twoFactor = account.twoFactorEnabledAt !== null;
  const session = { twoFactor, sessionId };
  if (account.platformRole === "super_admin") {
    // Every super-admin signs in with a second factor: until they have one, they may only enrol.
    if (!twoFactor)
      return {
        user,
        platformRole: "super_admin",
        customer: null,
        membershipRole: null,
        activeSwitch: null,
        role: "enrolling",
        ...session,
      };
    if (account.switchId && account.switchExpiresAt! > now) {
      return {
        user,
        platformRole: "super_admin",
        customer: {
          id: account.switchTenantId!,
          name: account.switchCustomerName!,
          status: account.switchCustomerStatus!,
          trialEndsAt: account.switchCustomerTrialEndsAt,
        },
        membershipRole: null,
        activeSwitch: {
          id: account.switchId,
          // Read-only at most inside a customer that may not use the console itself.
          mode: isBlocked(account.switchCustomerStatus!) ? "read" : account.switchMode!,
          reason: account.switchReason!,
          startedAt: account.switchStartedAt!,
          expiresAt: account.switchExpiresAt!,
        },
        role: "switched",
        ...session,
      };
    }
    return {
      user,
      platformRole: "super_admin",
      customer: null,
      membershipRole: null,
      activeSwitch: null,
      role: "super_admin",
      ...session,
    };
  }
  if (!account.membershipRole || !account.customerId || isBlocked(account.customerStatus ?? "")) {
    return null;
  }
  return {
    user,
    platformRole: null,
    customer: {
      id: account.customerId,
      name: account.customerName!,
      status: account.customerStatus!,
      trialEndsAt: account.customerTrialEndsAt,
    },
    membershipRole: account.membershipRole,
    activeSwitch: null,
    // A customer that asks its users for a second factor: theirs first.
    role: account.customerRequireTwoFactor && !twoFactor ? "enrolling" : account.membershipRole,
    ...session,
  };
}

/**
 * Resolves a user ID to its context, or null when it may no longer act (signed out). With a
 * session ID (every browser request's), the session must be the user's and live: one that idled
 * or outlived its lifetime is ended now.
 */
export async function resolveContext(
  userId: string,
  options: { sessionId?: string; now?: Date } = {},
): Promise<RequestContext | null> {
  const now = options.now ?? new Date();
  const { sessionId } = options;
  const [account] = await withSystem(
    "request-context",
    (tx) => selectAccounts(tx, sessionId).where(eq(users.id, userId)),
    { readOnly: true },
  );
  if (!account) return null;
  const session = account.session ?? undefined;
  if (sessionId) {
    const ended = sessionEnd(session, userId, account.platformRole === "super_admin", now);
    if (ended) {
      if (session && !session.endedAt && (ended === "idle" || ended === "expired"))
        await withSystem("request-context", (tx) =>
          endSessions(tx, eq(sessions.id, sessionId), ended, now),
        );
      return null;
    }
    if (needsTouch(session!, now))
      await withSystem("request-context", (tx) => touchSession(tx, sessionId, now));
  }
  // A switch past its end is ended now, on this request: never silently extended.
  if (account.switchId && account.switchExpiresAt! <= now) await endExpiredSwitch(account, now);
  return contextFor(account, now, sessionId ?? null);
}

async function endExpiredSwitch(account: Account, now: Date) {
  await withSystem("request-context", async (tx) => {
    const ended = await tx
      .update(switches)
      .set({ endedAt: now, endReason: "expired" })
      .where(and(eq(switches.id, account.switchId!), isNull(switches.endedAt)))
      .returning({ id: switches.id });
    if (ended.length === 0) return; // another request ended it first
    await insertAuditEvent(tx, {
      actorUserId: account.id,
      actorEmail: account.email,
      actorRole: "super_admin",
      actingAs: account.switchId,
      tenantId: account.switchTenantId,
      action: "switches.end",
      targetType: "switch",
      targetId: account.switchId,
      outcome: "ok",
      details: { reason: "expired", expiresAt: account.switchExpiresAt },
    });
  });
}
