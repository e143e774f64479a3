"use client";

// Moving one customer to another registered database, from its page or the Databases page.
import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass, Field, inputClass } from "@/components/ui/field";
import { startMoveAction } from "@/lib/placement/actions";

export function MoveForm({
  customer,
  targets,
  disabled,
}: {
  /** The customer to move; without one, the form asks for its ID. */
  customer?: string;
  /** The active databases the customer may move to. */
  targets: string[];
  disabled?: string | null;
}) {
  const [state, action, pending] = useActionState(startMoveAction, null);
  const customerErrors = state && !state.ok ? state.fieldErrors?.customer : undefined;
  if (targets.length === 0)
    return (
      <p className="text-sm text-slate-600">
        No other active database is registered: add one with{" "}
        <code>npm run databases -- add NAME --env VAR</code>, then sync it.
      </p>
    );
  return (
    <form action={action} aria-label="Move this customer" className="space-y-3">
      {customer ? (
        <input type="hidden" name="customer" value={customer} />
      ) : (
        <Field id="move-customer" label="Customer ID" errors={customerErrors}>
          <input
            id="move-customer"
            name="customer"
            autoComplete="off"
            className={inputClass}
            aria-invalid={Boolean(customerErrors)}
          />
        </Field>
      )}
      <Field id={`move-to-${customer ?? "any"}`} label="Move to">
        <select id={`move-to-${customer ?? "any"}`} name="to" className={inputClass}>
          {targets.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`move-mode-${customer ?? "any"}`} label="How">
        <select id={`move-mode-${customer ?? "any"}`} name="mode" className={inputClass}>
          <option value="auto">By size: online when large and the source allows</option>
          <option value="online">Online: writes wait only for the final catch-up</option>
          <option value="offline">Offline: writes wait for the whole copy</option>
        </select>
      </Field>
      <button type="submit" disabled={pending || Boolean(disabled)} className={buttonClass}>
        {pending ? "Starting…" : "Move"}
      </button>
      {disabled && <p className="text-sm text-slate-500">{disabled}</p>}
      <ActionMessage state={state} />
    </form>
  );
}
