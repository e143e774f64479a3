import { z } from "zod";
import { membershipRoles } from "@/db/schema";
import { MISMATCH, newPasswordFields, passwordsMatch } from "@/lib/auth/password-rules";

export const INVITE_TTL_HOURS = 72;

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address." }));

export const inviteSchema = z.object({
  email,
  role: z.enum(membershipRoles, { message: "Choose a role." }),
});

export const revokeInviteSchema = z.object({
  inviteId: z.uuid({ message: "Not a valid invitation." }),
});

/** 32 random bytes, base64url: what the link carries. */
export const inviteTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const acceptInviteSchema = z
  .object({
    token: inviteTokenSchema,
    displayName: z.string().trim().min(1, { message: "Enter your name." }).max(120),
    ...newPasswordFields,
  })
  .refine(passwordsMatch, MISMATCH);
