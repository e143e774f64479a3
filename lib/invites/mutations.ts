import "server-only";
import { and, count, eq, isNull, sql } from "drizzle-orm";
import { customers, invites, plans } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { ActionError, NotFoundError } from "@/lib/auth/action";
import { INVITE_TTL_HOURS } from "./schemas";
import { newInviteToken } from "./tokens";
import { memberByAddress, openInvitesOf } from "@/lib/users/queries";

/**
 * Creates an invitation to `tenantId` in the caller's transaction: withTenant for a customer
 * admin, withPlatform for a super-admin inviting a new customer's first admin. Returns the
 * token, which exists nowhere else: the link is built from it once.
 */
export async function createInvite(
  tx: Tx,
  input: {
    tenantId: string;
    email: string;
    role: "admin" | "member";
    invitedBy: string | null;
    switchId?: string | null;
    now?: Date;
  },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const { tenantId, email, role } = input;
  const now = input.now ?? new Date();
  // One invitation of a customer's at a time, to the transaction's end: two asked for at once
  // would each pass the checks below without seeing the other's (an address invited twice, the
  // plan's limit passed).
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtext('tenantry.invites'), hashtext(${tenantId}))`,
  );
  const [member] = await memberByAddress(tx, tenantId, email);
  if (member) throw new ActionError(`${email} is already a user of this customer.`);
  const [pending] = await tx
    .select({ id: invites.id })
    .from(invites)
    .where(and(openInvitesOf(tenantId, now), eq(invites.email, email)));
  if (pending)
    throw new ActionError(
      `${email} already has an open invitation. Withdraw it to send a new one.`,
    );
  await requireUserQuota(tx, tenantId, now);

  const { token, tokenHash } = newInviteToken();
  const expiresAt = new Date(now.getTime() + INVITE_TTL_HOURS * 3_600_000);
  const [invite] = await tx
    .insert(invites)
    .values({
      tenantId,
      email,
      role,
      tokenHash,
      invitedBy: input.invitedBy,
      switchId: input.switchId ?? null,
      expiresAt,
    })
    .returning({ id: invites.id });
  return { id: invite.id, token, expiresAt };
}

/**
 * Console users are limited by the plan (or the customer's override); open invitations count.
 * The users are the count the memberships' triggers keep on the customer, and the open
 * invitations a range of their index, so a large customer's check reads neither its users nor
 * its invitations' history.
 */
async function requireUserQuota(tx: Tx, tenantId: string, now: Date) {
  const [limits] = await tx
    .select({
      plan: plans.displayName,
      maxUsers: plans.maxUsers,
      overrides: customers.quotaOverrides,
      users: customers.userCount,
    })
    .from(customers)
    .innerJoin(plans, eq(plans.name, customers.plan))
    .where(eq(customers.id, tenantId));
  if (!limits) throw new NotFoundError();
  const max = (limits.overrides as { maxUsers?: number }).maxUsers ?? limits.maxUsers;
  const [open] = await tx
    .select({ invites: count() })
    .from(invites)
    .where(openInvitesOf(tenantId, now));
  const taken = limits.users + open.invites;
  if (taken >= max) {
    throw new ActionError(
      `The ${limits.plan} plan allows ${max} console user${max === 1 ? "" : "s"}, and ${taken} are taken (users and open invitations). Remove one, or ask for a larger plan.`,
    );
  }
}

/** Withdraws an open invitation, loaded by (tenant, id): another customer's is simply not there. */
export async function revokeInvite(tx: Tx, tenantId: string, inviteId: string) {
  const [revoked] = await tx
    .update(invites)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(invites.tenantId, tenantId),
        eq(invites.id, inviteId),
        isNull(invites.acceptedAt),
        isNull(invites.revokedAt),
      ),
    )
    .returning({ email: invites.email });
  return revoked ?? null;
}
