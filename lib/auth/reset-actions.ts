"use server";

// Public: whoever holds a reset link sets the account's new password; the token is the
// credential (lib/auth/resets.ts).
import { redirect } from "next/navigation";
import { z } from "zod";
import type { ActionState } from "./action";
import { resetTokenSchema } from "./account-schemas";
import { MISMATCH, newPasswordFields, passwordsMatch } from "./password-rules";
import { redeemReset } from "./resets";

const resetPasswordSchema = z
  .object({ token: resetTokenSchema, ...newPasswordFields })
  .refine(passwordsMatch, MISMATCH);

export async function resetPasswordAction(
  _previous: ActionState,
  formData: FormData,
): Promise<ActionState> {
  const parsed = resetPasswordSchema.safeParse(Object.fromEntries(formData.entries()));
  if (!parsed.success)
    return {
      ok: false,
      error: "Check the highlighted fields.",
      fieldErrors: z.flattenError(parsed.error).fieldErrors,
    };
  const result = await redeemReset(parsed.data);
  if (!result.ok)
    return result.field
      ? {
          ok: false,
          error: "Check the highlighted fields.",
          fieldErrors: { password: [result.reason] },
        }
      : { ok: false, error: result.reason };
  redirect(`/sign-in?reset=${encodeURIComponent(result.email)}`);
}
