"use client";

import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { NewPasswordFields } from "./new-password-fields";
import { buttonClass, Field, inputClass } from "@/components/ui/field";
import { resetPasswordAction } from "@/lib/auth/reset-actions";

export function ResetPasswordForm({ token, email }: { token: string; email: string }) {
  const [state, action, pending] = useActionState(resetPasswordAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={action} noValidate className="space-y-4">
      <input type="hidden" name="token" value={token} />
      <Field id="reset-email" label="Email">
        <input
          id="reset-email"
          value={email}
          readOnly
          className={`${inputClass} bg-slate-50`}
          autoComplete="username"
        />
      </Field>
      <NewPasswordFields
        id="reset"
        labels={{
          password: "New password (at least 12 characters)",
          confirm: "Repeat the new password",
        }}
        errors={errors}
      />
      <ActionMessage state={state} />
      <button type="submit" disabled={pending} className={`${buttonClass} w-full`}>
        {pending ? "Saving…" : "Set my new password"}
      </button>
    </form>
  );
}
