"use server";

// Public: whoever holds a reset link sets the account's new password; the token is the
// credential (lib/auth/resets.ts).
import { redirect } from "next/navigation";
import { z } from "zod";
import type { ActionState } from "./action";
import { resetTokenSchema } from "./account-schemas";
import { CHECK_FIELDS, parseForm } from "./form";
import { MISMATCH, newPasswordFields, passwordsMatch } from "./password-rules";
import { redeemReset } from "./resets";

const resetPasswordSchema = z
  .object({ token: resetTokenSchema, ...newPasswordFields })
  .refine(passwordsMatch, MISMATCH);

export async function resetPasswordAction(
  _previous: ActionState,
  formData: FormData,
): Promise<ActionState> {
  const parsed = parseForm(resetPasswordSchema, formData);
  if (!parsed.ok) return parsed;
  const result = await redeemReset(parsed.data);
  if (!result.ok)
    return result.field
      ? {
          ok: false,
          error: CHECK_FIELDS,
          fieldErrors: { password: [result.reason] },
        }
      : { ok: false, error: result.reason };
  redirect(`/sign-in?reset=${encodeURIComponent(result.email)}`);
}
