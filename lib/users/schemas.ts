import { z } from "zod";
import { membershipRoles } from "@/db/schema";
import { cursorParam, keysetPositionSchema, newestFirstCursorSchema } from "@/lib/lists/cursor";

/**
 * Where a page of a customer's users starts (keyset paging by lower-cased email, which is
 * unique): after or before this address.
 */
const memberCursorSchema = keysetPositionSchema.extend({ email: z.string().max(320) });
export type MemberCursor = z.infer<typeof memberCursorSchema>;

/**
 * Where a page of a customer's open invitations starts (keyset paging, the latest to expire
 * first): after, or before, the invitation expiring at this time with this ID.
 */
const inviteCursorSchema = newestFirstCursorSchema(z.uuid());
export type InviteCursor = z.infer<typeof inviteCursorSchema>;

/**
 * The Users page's URL: where its list of users starts (`cursor`) and where its open invitations
 * start (`invites`); one that does not decode starts its list at the top.
 */
export const memberPageSchema = z.object({
  cursor: cursorParam(memberCursorSchema),
  invites: cursorParam(inviteCursorSchema),
});

/** Open invitations a page. */
export const INVITES_PER_PAGE = 50;

/** Users a page. */
export const MEMBERS_PER_PAGE = 50;

export const changeRoleSchema = z.object({
  userId: z.uuid({ message: "Not a user." }),
  role: z.enum(membershipRoles),
});
export const removeUserSchema = z.object({ userId: z.uuid({ message: "Not a user." }) });

export const setStatusSchema = z.object({
  userId: z.uuid({ message: "Not a user." }),
  status: z.enum(["active", "disabled"], { message: "Choose active or suspended." }),
});

export const requireTwoFactorSchema = z.object({
  require: z.enum(["on", "off"], { message: "Choose on or off." }),
});
