"use client";

import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass, Field, inputClass } from "@/components/ui/field";
import { updateContactEmailAction } from "@/lib/customers/actions";

export function ContactEmailForm({
  version,
  contactEmail,
}: {
  version: number;
  contactEmail: string;
}) {
  const [state, action, pending] = useActionState(updateContactEmailAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={action} noValidate className="max-w-md space-y-4">
      <input type="hidden" name="version" value={version} />
      <Field id="contact-email" label="Contact email" errors={errors?.contactEmail}>
        <input
          id="contact-email"
          name="contactEmail"
          type="email"
          defaultValue={contactEmail}
          className={inputClass}
          aria-invalid={Boolean(errors?.contactEmail)}
        />
      </Field>
      <ActionMessage state={state} />
      <button type="submit" disabled={pending} className={buttonClass}>
        Save contact email
      </button>
    </form>
  );
}
