"use client";

import Link from "next/link";
import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass, Field, inputClass } from "@/components/ui/field";
import { createCustomerAction } from "@/lib/customers/actions";
import { PlanSelect } from "./plan-select";

export function CreateCustomerForm({ plans }: { plans: { name: string; displayName: string }[] }) {
  const [state, action, pending] = useActionState(createCustomerAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  if (state?.ok) {
    return (
      <div className="max-w-xl space-y-4 rounded-lg border border-slate-200 bg-white p-6">
        <ActionMessage state={state} />
        {state.data?.link && (
          <p
            className="break-all rounded-md bg-slate-100 px-3 py-2 font-mono text-xs"
            data-testid="invite-link"
          >
            {state.data.link}
          </p>
        )}
        <Link
          href={`/customers/${state.data?.id}`}
          className="text-sm font-medium text-indigo-700 underline"
        >
          Open the customer
        </Link>
      </div>
    );
  }
  return (
    <form
      action={action}
      noValidate
      className="max-w-xl space-y-4 rounded-lg border border-slate-200 bg-white p-6"
    >
      <Field id="name" label="Name" errors={errors?.name}>
        <input
          id="name"
          name="name"
          required
          className={inputClass}
          aria-invalid={Boolean(errors?.name)}
        />
      </Field>
      <Field id="contactEmail" label="Contact email" errors={errors?.contactEmail}>
        <input
          id="contactEmail"
          name="contactEmail"
          type="email"
          required
          className={inputClass}
          aria-invalid={Boolean(errors?.contactEmail)}
        />
      </Field>
      <div className="grid grid-cols-2 gap-4">
        <Field id="plan" label="Plan" errors={errors?.plan}>
          <PlanSelect id="plan" defaultValue="team" plans={plans} />
        </Field>
        <Field id="trialDays" label="Trial (days; 0 = none)" errors={errors?.trialDays}>
          <input
            id="trialDays"
            name="trialDays"
            type="number"
            min={0}
            max={90}
            defaultValue={14}
            className={inputClass}
            aria-invalid={Boolean(errors?.trialDays)}
          />
        </Field>
      </div>
      <Field id="adminEmail" label="Invite the first admin (optional)" errors={errors?.adminEmail}>
        <input
          id="adminEmail"
          name="adminEmail"
          type="email"
          className={inputClass}
          aria-invalid={Boolean(errors?.adminEmail)}
        />
      </Field>
      <ActionMessage state={state} />
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? "Creating…" : "Create customer"}
      </button>
    </form>
  );
}
