// Accepting an invitation: there is no user yet, so this goes through the system door, and
// only by the token's hash. Single use: the invite row is locked, checked and marked in the
// same transaction that creates the user and the membership.
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { isUniqueViolation } from "@/db/errors";
import { customers, invites, memberships, users } from "@/db/schema";
import { withSystem } from "@/db/tenant";
import { insertAuditEvent } from "@/lib/audit/record";
import { hashPassword } from "@/lib/auth/passwords";
import { systemClock, type Clock } from "@/lib/auth/sign-in";
import { isReadOnly } from "@/lib/customers/lifecycle";
import { hashInviteToken } from "./tokens";

const OPEN_CUSTOMER_STATUSES = ["trial", "active"];

/** Whether a customer takes new members now: open, and not a trial past its end (read-only). */
const takesMembers = (customer: { status: string; trialEndsAt: Date | null }, now: Date) =>
  OPEN_CUSTOMER_STATUSES.includes(customer.status) && !isReadOnly(customer, now);

export type InviteLookup =
  { ok: true; email: string; role: string; customerName: string } | { ok: false; reason: string };

export const INVALID_INVITE =
  "This invitation is not valid: it may have expired, been used or been withdrawn. Ask for a new one.";

/** What the accept page shows for a token. */
export async function findOpenInvite(
  token: string,
  clock: Clock = systemClock,
): Promise<InviteLookup> {
  const [row] = await withSystem(
    "invite-accept",
    (tx) =>
      tx
        .select({
          email: invites.email,
          role: invites.role,
          customerName: customers.name,
          customerStatus: customers.status,
          trialEndsAt: customers.trialEndsAt,
          expiresAt: invites.expiresAt,
        })
        .from(invites)
        .innerJoin(customers, eq(customers.id, invites.tenantId))
        .where(
          and(
            eq(invites.tokenHash, hashInviteToken(token)),
            isNull(invites.acceptedAt),
            isNull(invites.revokedAt),
          ),
        ),
    { readOnly: true },
  );
  if (
    !row ||
    row.expiresAt <= clock.now() ||
    !takesMembers({ status: row.customerStatus, trialEndsAt: row.trialEndsAt }, clock.now())
  )
    return { ok: false, reason: INVALID_INVITE };
  return { ok: true, email: row.email, role: row.role, customerName: row.customerName };
}

/**
 * Accepts an invitation. Whoever holds the link — the inviting admin, too, while there is no mail
 * — learns nothing about other customers: an address that already has an account anywhere on the
 * platform gets the same sentence as an invalid link, and the reason goes to the platform's trail.
 */
export async function acceptInvite(
  input: { token: string; displayName: string; password: string },
  clock: Clock = systemClock,
): Promise<{ ok: true; email: string } | { ok: false; reason: string }> {
  const passwordHash = await hashPassword(input.password);
  const now = clock.now();
  try {
    return await accept(input.token, input.displayName, passwordHash, now);
  } catch (error) {
    // Two invitations to one address accepted at the same moment: the second finds the account
    // the first just made, as it would have a moment later.
    if (isUniqueViolation(error)) return { ok: false, reason: INVALID_INVITE };
    throw error;
  }
}

function accept(
  token: string,
  displayName: string,
  passwordHash: string,
  now: Date,
): Promise<{ ok: true; email: string } | { ok: false; reason: string }> {
  return withSystem("invite-accept", async (tx) => {
    const [invite] = await tx
      .select()
      .from(invites)
      .where(
        and(
          eq(invites.tokenHash, hashInviteToken(token)),
          isNull(invites.acceptedAt),
          isNull(invites.revokedAt),
        ),
      )
      .for("update");
    const [customer] = invite
      ? await tx
          .select({ status: customers.status, trialEndsAt: customers.trialEndsAt })
          .from(customers)
          .where(eq(customers.id, invite.tenantId))
      : [];
    if (!invite || !customer || invite.expiresAt <= now || !takesMembers(customer, now)) {
      return { ok: false, reason: INVALID_INVITE };
    }
    const { email, tenantId, role, id } = invite;
    const [existing] = await tx
      .select({ id: users.id })
      .from(users)
      .where(eq(users.emailKey, email));
    if (existing) {
      await insertAuditEvent(tx, {
        actorEmail: email,
        action: "invites.accept",
        targetType: "invite",
        targetId: id,
        outcome: "failed",
        details: { reason: "the address already has a console account", customer: tenantId },
      });
      return { ok: false, reason: INVALID_INVITE };
    }
    const [user] = await tx
      .insert(users)
      .values({ email, displayName, passwordHash })
      .returning({ id: users.id });
    await tx.insert(memberships).values({ tenantId, userId: user.id, role });
    await tx.update(invites).set({ acceptedAt: now }).where(eq(invites.id, id));
    await insertAuditEvent(tx, {
      actorUserId: user.id,
      actorEmail: email,
      actorRole: role,
      tenantId,
      action: "invites.accept",
      targetType: "invite",
      targetId: id,
      outcome: "ok",
    });
    return { ok: true, email };
  });
}
