// Who a signed-in user is allowed to be right now: role, customer and membership, re-read from
// the database on every request (DESIGN §3 invariant 1).
import "server-only";
import { eq } from "drizzle-orm";
import { customers, memberships, users } from "@/db/schema";
import { withSystem, type Tx } from "@/db/tenant";
import type { Role } from "./permissions";

export interface RequestContext {
  user: { id: string; email: string; displayName: string };
  platformRole: "super_admin" | null;
  customer: { id: string; name: string; status: string } | null;
  membershipRole: "admin" | "member" | null;
  /** Switching arrives with the switching issue; until then no one is ever switched. */
  activeSwitch: null;
  /** The role the permissions table is read with. */
  role: Role;
}

/** A customer in one of these states may not use the console: sign-in and every request refuse. */
const BLOCKED_CUSTOMER_STATUSES = new Set(["suspended", "offboarding", "deleted"]);

/** A console user with the membership and customer that decide what they may do. */
export function selectAccounts(tx: Tx) {
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
    })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(customers, eq(customers.id, memberships.tenantId));
}

type Account = Awaited<ReturnType<typeof selectAccounts>>[number];

/** The one rule of who may act: an active user who is a super-admin or a member of a live customer. */
export function contextFor(account: Account): RequestContext | null {
  if (account.status !== "active") return null;
  const user = { id: account.id, email: account.email, displayName: account.displayName };
  if (account.platformRole === "super_admin") {
    return { user, platformRole: "super_admin", customer: null, membershipRole: null, activeSwitch: null, role: "super_admin" };
  }
  if (!account.membershipRole || !account.customerId || BLOCKED_CUSTOMER_STATUSES.has(account.customerStatus ?? "")) {
    return null;
  }
  return {
    user,
    platformRole: null,
    customer: { id: account.customerId, name: account.customerName!, status: account.customerStatus! },
    membershipRole: account.membershipRole,
    activeSwitch: null,
    role: account.membershipRole,
  };
}

/** Resolves a user ID to its context, or null when it may no longer act (signed out). */
export async function resolveContext(userId: string): Promise<RequestContext | null> {
  const [account] = await withSystem("request-context", (tx) => selectAccounts(tx).where(eq(users.id, userId)), {
    readOnly: true,
  });
  return account ? contextFor(account) : null;
}
