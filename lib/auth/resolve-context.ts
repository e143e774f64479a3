// Who a signed-in user is allowed to be right now: role, customer and membership, re-read from
// the database on every request (DESIGN §3 invariant 1).
import "server-only";
import { eq } from "drizzle-orm";
import { customers, memberships, users } from "@/db/schema";
import { withSystem } from "@/db/tenant";
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
export const BLOCKED_CUSTOMER_STATUSES = new Set(["suspended", "offboarding", "deleted"]);

/** Resolves a user ID to its context, or null when it may no longer act (signed out). */
export async function resolveContext(userId: string): Promise<RequestContext | null> {
  const [row] = await withSystem(
    "request-context",
    (tx) =>
      tx
        .select({
          id: users.id,
          email: users.email,
          displayName: users.displayName,
          status: users.status,
          platformRole: users.platformRole,
          membershipRole: memberships.role,
          customerId: customers.id,
          customerName: customers.name,
          customerStatus: customers.status,
        })
        .from(users)
        .leftJoin(memberships, eq(memberships.userId, users.id))
        .leftJoin(customers, eq(customers.id, memberships.tenantId))
        .where(eq(users.id, userId)),
    { readOnly: true },
  );
  if (!row || row.status !== "active") return null;
  const user = { id: row.id, email: row.email, displayName: row.displayName };
  if (row.platformRole === "super_admin") {
    return { user, platformRole: "super_admin", customer: null, membershipRole: null, activeSwitch: null, role: "super_admin" };
  }
  if (!row.membershipRole || !row.customerId || BLOCKED_CUSTOMER_STATUSES.has(row.customerStatus ?? "")) return null;
  return {
    user,
    platformRole: null,
    customer: { id: row.customerId, name: row.customerName!, status: row.customerStatus! },
    membershipRole: row.membershipRole,
    activeSwitch: null,
    role: row.membershipRole,
  };
}

