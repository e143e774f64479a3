import "server-only";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { invites, memberships, users } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { ActionError } from "@/lib/auth/action";
import { INVITE_TTL_HOURS } from "./schemas";
import { newInviteToken } from "./tokens";

/**
 * Creates an invitation to `tenantId` in the caller's transaction: withTenant for a customer
 * admin, withPlatform for a super-admin inviting a new customer's first admin. Returns the
 * token, which exists nowhere else: the link is built from it once.
 */
export async function createInvite(
  tx: Tx,
  input: { tenantId: string; email: string; role: "admin" | "member"; invitedBy: string | null; now?: Date },
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
    .where(and(eq(invites.tenantId, tenantId), eq(invites.email, email), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now)));
  if (pending) throw new ActionError(`${email} already has an open invitation. Withdraw it to send a new one.`);

  const { token, tokenHash } = newInviteToken();
  const expiresAt = new Date(now.getTime() + INVITE_TTL_HOURS * 3_600_000);
  const [invite] = await tx
    .insert(invites)
    .values({ tenantId, email, role, tokenHash, invitedBy: input.invitedBy, expiresAt })
    .returning({ id: invites.id });
  return { id: invite.id, token, expiresAt };
}
