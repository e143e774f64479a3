"use client";

// The super-admin's forms on a customer's page. Each carries the version it was rendered
// from, so an edit made meanwhile by someone else is refused instead of overwritten.
import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass, Field, inputClass } from "@/components/ui/field";
import {
  changePlanAction,
  editCustomerAction,
  transitionCustomerAction,
  extendTrialAction,
} from "@/lib/customers/actions";
import { PlanSelect } from "./plan-select";

interface Base {
  id: string;
  version: number;
}

function Hidden({ id, version }: Base) {
  return (
    <>
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="version" value={version} />
    </>
  );
}

export function EditCustomerForm({
  id,
  version,
  name,
  contactEmail,
}: Base & { name: string; contactEmail: string }) {
  const [state, action, pending] = useActionState(editCustomerAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={action} noValidate className="space-y-4" aria-label="Profile">
      <Hidden id={id} version={version} />
      <Field id="edit-name" label="Name" errors={errors?.name}>
        <input
          id="edit-name"
          name="name"
          defaultValue={name}
          className={inputClass}
          aria-invalid={Boolean(errors?.name)}
        />
      </Field>
      <Field id="edit-contact" label="Contact email" errors={errors?.contactEmail}>
        <input
          id="edit-contact"
          name="contactEmail"
          type="email"
          defaultValue={contactEmail}
          className={inputClass}
          aria-invalid={Boolean(errors?.contactEmail)}
        />
      </Field>
      <ActionMessage state={state} />
      <button type="submit" disabled={pending} className={buttonClass}>
        Save profile
      </button>
    </form>
  );
}

const LIMITS = [
  ["maxUsers", "Console users"],
  ["maxRows", "Data-plane rows"],
  ["maxStorageBytes", "Storage (bytes)"],
  ["maxApiCallsMonth", "API calls a month"],
] as const;

export function PlanForm({
  id,
  version,
  plan,
  overrides,
  plans,
}: Base & {
  plan: string;
  overrides: Record<string, number>;
  plans: { name: string; displayName: string }[];
}) {
  const [state, action, pending] = useActionState(changePlanAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={action} noValidate className="space-y-4" aria-label="Plan and limits">
      <Hidden id={id} version={version} />
      <Field id="plan-name" label="Plan" errors={errors?.plan}>
        <PlanSelect id="plan-name" defaultValue={plan} plans={plans} />
      </Field>
      <fieldset className="grid grid-cols-2 gap-4">
        <legend className="mb-2 text-sm text-slate-600">
          Overrides (empty = the plan&apos;s limit)
        </legend>
        {LIMITS.map(([key, label]) => (
          <Field key={key} id={`plan-${key}`} label={label} errors={errors?.[key]}>
            <input
              id={`plan-${key}`}
              name={key}
              type="number"
              min={0}
              defaultValue={overrides[key] ?? ""}
              className={inputClass}
            />
          </Field>
        ))}
      </fieldset>
      <ActionMessage state={state} />
      <button type="submit" disabled={pending} className={buttonClass}>
        Save plan
      </button>
    </form>
  );
}

export function TransitionForm({
  id,
  version,
  to,
  verb,
  reasonRequired,
}: Base & { to: string; verb: string; reasonRequired: boolean }) {
  const [state, action, pending] = useActionState(transitionCustomerAction, null);
  return (
    <form action={action} noValidate className="flex flex-wrap items-end gap-3" aria-label={verb}>
      <Hidden id={id} version={version} />
      <input type="hidden" name="to" value={to} />
      {reasonRequired && (
        <label className="flex flex-col text-sm text-slate-700">
          Reason for “{verb.toLowerCase()}” (required)
          <input
            name="reason"
            className="mt-1 w-80 rounded-md border border-slate-300 px-3 py-1.5"
            placeholder="e.g. unpaid invoices, ticket OPS-123"
          />
        </label>
      )}
      <button
        type="submit"
        disabled={pending}
        className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100"
      >
        {verb}
      </button>
      <ActionMessage state={state} />
    </form>
  );
}

/** Extending a trial, running or expired: days and a reason, both required. */
export function ExtendTrialForm({ id, version }: Base) {
  const [state, action, pending] = useActionState(extendTrialAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form
      action={action}
      noValidate
      className="flex flex-wrap items-end gap-3"
      aria-label="Extend the trial"
    >
      <Hidden id={id} version={version} />
      <label className="flex flex-col text-sm text-slate-700">
        Days
        <input
          name="days"
          inputMode="numeric"
          defaultValue="14"
          aria-invalid={Boolean(errors?.days)}
          className="mt-1 w-20 rounded-md border border-slate-300 px-3 py-1.5"
        />
      </label>
      <label className="flex flex-col text-sm text-slate-700">
        Reason (required)
        <input
          name="reason"
          aria-invalid={Boolean(errors?.reason)}
          className="mt-1 w-80 rounded-md border border-slate-300 px-3 py-1.5"
          placeholder="e.g. evaluation continues, ticket SALES-42"
        />
      </label>
      <button
        type="submit"
        disabled={pending}
        className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100"
      >
        Extend the trial
      </button>
      <ActionMessage state={state} />
      {[...(errors?.days ?? []), ...(errors?.reason ?? [])].map((m) => (
        <p key={m} className="w-full text-sm text-red-700">
          {m}
        </p>
      ))}
    </form>
  );
}
