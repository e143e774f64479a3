"use server";

import { redirect } from "next/navigation";
import { NotFoundError, tenantAction, type ActionState } from "@/lib/auth/action";
import { parseForm } from "@/lib/auth/form";
import { acceptInvite } from "./accept";
import { acceptInviteSchema, INVITE_TTL_HOURS, inviteSchema, revokeInviteSchema } from "./schemas";
import { createInvite, revokeInvite } from "./mutations";
import { consoleLink } from "@/lib/http/links";
import { sendMail } from "@/lib/mail/transport";
import { afterCommit } from "@/db/tenant";

export const inviteUserAction = tenantAction(
  {
    name: "invites.create",
    permission: "users.manage",
    schema: inviteSchema,
    revalidate: "/users",
  },
  async (tx, { email, role }, ctx, record) => {
    const invite = await createInvite(tx, {
      tenantId: ctx.customer.id,
      email,
      role,
      invitedBy: ctx.user.id,
      switchId: ctx.activeSwitch?.id,
    });
    Object.assign(record, { targetType: "invite", targetId: invite.id, details: { email, role } });
    const link = await consoleLink(`/invite/${invite.token}`);
    // Shown to the inviter too: without a mail sender, the message goes to the server log.
    // Sent once the invitation is committed: a link to one that rolled back would not work.
    afterCommit(tx, () =>
      sendMail({
        to: email,
        subject: `Your invitation to ${ctx.customer.name} on Tenantry`,
        text: `You are invited to ${ctx.customer.id} as ${role === "admin" ? "an admin" : "a member"}. The link works once, for ${INVITE_TTL_HOURS} hours: ${link}`,
      }),
    );
    return {
      ok: true,
      message: `Invitation created for ${email}. Send them this link; it works once, for ${INVITE_TTL_HOURS} hours.`,
      data: { link },
    };
  },
);

export const revokeInviteAction = tenantAction(
  {
    name: "invites.revoke",
    permission: "users.manage",
    schema: revokeInviteSchema,
    revalidate: "/users",
  },
  async (tx, { inviteId }, ctx, record) => {
    Object.assign(record, { targetType: "invite", targetId: inviteId });
    const revoked = await revokeInvite(tx, ctx.customer.id, inviteId);
    if (!revoked) throw new NotFoundError();
    record.details = { email: revoked.email };
    return { ok: true, message: `Invitation for ${revoked.email} withdrawn.` };
  },
);

/** Public: the invitee has no account yet. The token is the only credential. */
export async function acceptInviteAction(
  _previous: ActionState,
  formData: FormData,
): Promise<ActionState> {
  const parsed = parseForm(acceptInviteSchema, formData);
  if (!parsed.ok) return parsed;
  const result = await acceptInvite(parsed.data);
  if (!result.ok) return { ok: false, error: result.reason };
  redirect(`/sign-in?invited=${encodeURIComponent(result.email)}`);
}
