"use client";

import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass, Field, inputClass } from "@/components/ui/field";
import { inviteUserAction } from "@/lib/invites/actions";

export function InviteForm() {
  const [state, action, pending] = useActionState(inviteUserAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form
      action={action}
      noValidate
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-6"
    >
      <h2 className="text-base font-medium">Invite a user</h2>
      <div className="grid gap-4 sm:grid-cols-[1fr_10rem]">
        <Field id="invite-email" label="Email" errors={errors?.email}>
          <input
            id="invite-email"
            name="email"
            type="email"
            required
            className={inputClass}
            aria-invalid={Boolean(errors?.email)}
          />
        </Field>
        <Field id="invite-role" label="Role" errors={errors?.role}>
          <select id="invite-role" name="role" defaultValue="member" className={inputClass}>
            <option value="member">Member</option>
            <option value="admin">Admin</option>
          </select>
        </Field>
      </div>
      <ActionMessage state={state} />
      {state?.ok && state.data?.link && (
        <p
          className="break-all rounded-md bg-slate-100 px-3 py-2 font-mono text-xs"
          data-testid="invite-link"
        >
          {state.data.link}
        </p>
      )}
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? "Inviting…" : "Invite"}
      </button>
    </form>
  );
}
