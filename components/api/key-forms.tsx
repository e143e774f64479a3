"use client";

// New API keys: a customer admin's for their customer, a super-admin's for any customer, and
// platform tokens. The key is shown once, after the form, with the sentence saying so.
import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass, Field, inputClass } from "@/components/ui/field";
import {
  createApiKeyAction,
  createCustomerKeyAction,
  createPlatformTokenAction,
  revokeAnyKeyAction,
  revokeApiKeyAction,
} from "@/lib/api/actions";

const SCOPES = [
  { scope: "usage:read", label: "usage:read — read usage (GET /api/v1/usage)" },
  { scope: "usage:write", label: "usage:write — send metered events (POST /api/v1/usage/events)" },
  { scope: "customer:read", label: "customer:read — read the customer (GET /api/v1/customer)" },
] as const;

function ShownOnce({ keyText }: { keyText: string }) {
  return (
    <div className="space-y-1">
      <label htmlFor="new-api-key" className="block text-sm font-medium text-slate-700">
        The new key
      </label>
      <input
        id="new-api-key"
        readOnly
        value={keyText}
        onFocus={(e) => e.currentTarget.select()}
        className={`${inputClass} font-mono`}
      />
    </div>
  );
}

function Expiry({ id }: { id: string }) {
  return (
    <Field id={id} label="Expires">
      <select id={id} name="expiresInDays" defaultValue="90" className={inputClass}>
        <option value="30">in 30 days</option>
        <option value="90">in 90 days</option>
        <option value="365">in a year</option>
        <option value="never">never</option>
      </select>
    </Field>
  );
}

/** A customer's key: its admin's own form, or a super-admin's on the customer's page. */
export function NewKeyForm({ customer }: { customer?: string }) {
  const [state, action, pending] = useActionState(
    customer ? createCustomerKeyAction : createApiKeyAction,
    null,
  );
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={action} aria-label="Create an API key" className="space-y-3" noValidate>
      {customer && <input type="hidden" name="customer" value={customer} />}
      <Field id="key-name" label="Name" errors={errors?.name}>
        <input
          id="key-name"
          name="name"
          autoComplete="off"
          className={inputClass}
          aria-invalid={Boolean(errors?.name)}
        />
      </Field>
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Scopes</legend>
        {SCOPES.map((s) => (
          <label key={s.scope} className="mt-1 flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              name={`scope.${s.scope}`}
              defaultChecked={s.scope === "usage:read"}
            />
            {s.label}
          </label>
        ))}
        {errors?.scopes?.map((m) => (
          <p key={m} className="mt-1 text-sm text-red-700">
            {m}
          </p>
        ))}
      </fieldset>
      <Expiry id="key-expiry" />
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? "Creating…" : "Create key"}
      </button>
      <ActionMessage state={state} />
      {state?.ok && state.data?.key && <ShownOnce keyText={state.data.key} />}
    </form>
  );
}

export function NewPlatformTokenForm() {
  const [state, action, pending] = useActionState(createPlatformTokenAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={action} aria-label="Create a platform token" className="space-y-3" noValidate>
      <Field id="token-name" label="Name" errors={errors?.name}>
        <input
          id="token-name"
          name="name"
          autoComplete="off"
          className={inputClass}
          aria-invalid={Boolean(errors?.name)}
        />
      </Field>
      <Expiry id="token-expiry" />
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? "Creating…" : "Create token"}
      </button>
      <ActionMessage state={state} />
      {state?.ok && state.data?.key && <ShownOnce keyText={state.data.key} />}
    </form>
  );
}

/** Revoking a key: the customer admin's own, or (`any`) a super-admin's. */
export function RevokeKeyButton({
  id,
  prefix,
  any,
}: {
  id: string;
  prefix: string;
  any?: boolean;
}) {
  const [state, action, pending] = useActionState(
    any ? revokeAnyKeyAction : revokeApiKeyAction,
    null,
  );
  return (
    <form action={action} className="flex items-center justify-end gap-3">
      <input type="hidden" name="id" value={id} />
      {state && !state.ok && <ActionMessage state={state} />}
      <button
        type="submit"
        disabled={pending}
        aria-label={`Revoke ${prefix}`}
        className="rounded-md border border-slate-300 px-2 py-1 text-xs text-slate-700 hover:bg-slate-100"
      >
        Revoke
      </button>
    </form>
  );
}
