import "server-only";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { customers, invites, memberships, plans, users } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { ActionError, NotFoundError } from "@/lib/auth/action";
import { INVITE_TTL_HOURS } from "./schemas";
import { newInviteToken } from "./tokens";

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
  const [member] = await tx
    .select({ id: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), sql`lower(${users.email}) = ${email}`));
  if (member) throw new ActionError(`${email} is already a user of this customer.`);
  const [pending] = await tx
    .select({ id: invites.id })
    .from(invites)
    .where(
      and(
        eq(invites.tenantId, tenantId),
        eq(invites.email, email),
        isNull(invites.acceptedAt),
        isNull(invites.revokedAt),
        gt(invites.expiresAt, now),
      ),
    );
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

/** Console users are limited by the plan (or the customer's override); open invitations count. */
async function requireUserQuota(tx: Tx, tenantId: string, now: Date) {
  const [limits] = await tx
    .select({
      plan: plans.displayName,
      maxUsers: plans.maxUsers,
      overrides: customers.quotaOverrides,
    })
    .from(customers)
    .innerJoin(plans, eq(plans.name, customers.plan))
    .where(eq(customers.id, tenantId));
  if (!limits) throw new NotFoundError();
  const max = (limits.overrides as { maxUsers?: number }).maxUsers ?? limits.maxUsers;
  const { rows } = await tx.execute<{ taken: number }>(sql`
    select (select count(*)::int from control.memberships m where m.tenant_id = ${tenantId})
         + (select count(*)::int from control.invites i where i.tenant_id = ${tenantId}
              and i.accepted_at is null and i.revoked_at is null and i.expires_at > ${now}) as taken`);
  const taken = rows[0].taken;
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
