"use client";

import { useActionState } from "react";
import { NewPasswordFields } from "@/components/auth/new-password-fields";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass, Field, inputClass } from "@/components/ui/field";
import { acceptInviteAction } from "@/lib/invites/actions";

export function AcceptInviteForm({ token, email }: { token: string; email: string }) {
  const [state, action, pending] = useActionState(acceptInviteAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={action} noValidate className="space-y-4">
      <input type="hidden" name="token" value={token} />
      <Field id="accept-email" label="Email">
        <input
          id="accept-email"
          value={email}
          readOnly
          className={`${inputClass} bg-slate-50`}
          autoComplete="username"
        />
      </Field>
      <Field id="accept-name" label="Your name" errors={errors?.displayName}>
        <input
          id="accept-name"
          name="displayName"
          required
          className={inputClass}
          aria-invalid={Boolean(errors?.displayName)}
        />
      </Field>
      <NewPasswordFields
        id="accept"
        labels={{ password: "Password", confirm: "Repeat the password" }}
        errors={errors}
      />
      <ActionMessage state={state} />
      <button type="submit" disabled={pending} className={`${buttonClass} w-full`}>
        {pending ? "Setting up…" : "Create my account"}
      </button>
    </form>
  );
}
