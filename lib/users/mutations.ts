// A customer's console users: the writes behind the Users page's actions, in the action's
// tenant-bound transaction.
import "server-only";
import { and, eq } from "drizzle-orm";
import { memberships, users } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { NotFoundError } from "@/lib/auth/action";

/** The target membership, loaded by (tenant, user): another customer's user is not there. */
export async function membershipOf(tx: Tx, tenantId: string, userId: string) {
  // Locks the customer's admin rows too, so two admins demoting each other cannot both win.
  const admins = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, "admin")))
    .for("update");
  const [target] = await tx
    .select({ role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  if (!target) throw new NotFoundError();
  const lastAdmin = target.role === "admin" && admins.length <= 1;
  return { ...target, lastAdmin };
}

export async function setRole(tx: Tx, tenantId: string, userId: string, role: "admin" | "member") {
  await tx
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
}

/**
 * A console user belongs to one customer: removing them deletes the account (RLS lets a tenant
 * delete only users that are its members); the membership goes with it.
 */
export async function removeUser(tx: Tx, userId: string) {
  await tx.delete(users).where(eq(users.id, userId));
}

/** Suspends (disables) or reactivates a user; suspending ends their sessions (a trigger). */
export async function setStatus(tx: Tx, userId: string, status: "active" | "disabled") {
  await tx.update(users).set({ status }).where(eq(users.id, userId));
}
