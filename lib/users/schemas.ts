import { z } from "zod";
import { membershipRoles } from "@/db/schema";
import { cursorParam, keysetPositionSchema } from "@/lib/lists/cursor";

/**
 * Where a page of a customer's users starts (keyset paging by lower-cased email, which is
 * unique): after or before this address.
 */
const memberCursorSchema = keysetPositionSchema.extend({ email: z.string().max(320) });
export type MemberCursor = z.infer<typeof memberCursorSchema>;

/** A page of a customer's users: from the URL's `cursor`; one that does not decode starts at the top. */
export const memberPageSchema = z.object({
  cursor: cursorParam(memberCursorSchema),
});

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
