"use client";

// The last step of offboarding on a customer's page: erase, once the customer's ID is typed.
import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { Field, inputClass } from "@/components/ui/field";
import { eraseCustomerAction } from "@/lib/portability/actions";

export function EraseForm({ id }: { id: string }) {
  const [state, action, pending] = useActionState(eraseCustomerAction, null);
  return (
    <form action={action} noValidate className="space-y-3" aria-label="Erase this customer">
      <input type="hidden" name="id" value={id} />
      <p className="text-sm text-slate-700">
        Erasing deletes every row of this customer in the data plane, its memberships and
        invitations, for good. The audit events stay. It needs an export from the last few days.
      </p>
      <Field id="confirm-erase" label={`Type ${id} to confirm`}>
        <input
          id="confirm-erase"
          name="confirm"
          autoComplete="off"
          className={inputClass}
          aria-invalid={state?.ok === false}
        />
      </Field>
      <button
        type="submit"
        disabled={pending}
        className="rounded-md border border-red-300 bg-red-50 px-3 py-1.5 text-sm font-medium text-red-800 hover:bg-red-100"
      >
        {pending ? "Starting…" : "Erase this customer"}
      </button>
      <ActionMessage state={state} />
    </form>
  );
}
