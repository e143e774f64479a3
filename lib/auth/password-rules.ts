// Password rules people can live with (NIST SP 800-63B): at least 12 characters, not one of the
// common passwords attackers try first, not the account's own email — and no composition rules.
// The list is zxcvbn-ts's (@zxcvbn-ts/language-common: maintained, ~49 000 passwords from public
// breach corpora), read once into a set, on the server only.
import "server-only";
import { dictionary } from "@zxcvbn-ts/language-common";
import { z } from "zod";

export const MIN_PASSWORD_LENGTH = 12;

let common: Set<string> | undefined;

/** Whether `password`, ignoring case and surrounding spaces, is on the common passwords list. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return common.has(password.trim().toLowerCase());
}

/** Why `password` is refused, or null. `email` is the account's. */
export function passwordProblem(password: string, email?: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (isCommonPassword(password))
    return "This password is on a list of common passwords that attackers try first. Choose another.";
  const lowered = password.trim().toLowerCase();
  if (email && (lowered === email.toLowerCase() || lowered === email.toLowerCase().split("@")[0]))
    return "Do not use your email address as your password.";
  return null;
}

/** A new password and its confirmation, checked against the rules. */
export const newPasswordFields = {
  password: z
    .string()
    .max(1024, { message: "Use at most 1024 characters." })
    .superRefine((password, ctx) => {
      const problem = passwordProblem(password);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  confirm: z.string().max(1024),
};

export function passwordsMatch(v: { password: string; confirm: string }) {
  return v.password === v.confirm;
}
export const MISMATCH = { path: ["confirm"], message: "The passwords do not match." };
