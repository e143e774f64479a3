"use client";

import { useActionState, useState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass } from "@/components/ui/field";
import { startAdoptionAction, startRevertAction, verifyNowAction } from "@/lib/adoption/actions";
import type { AdoptionOptionsInput } from "@/lib/adoption/schemas";

const secondaryClass =
  "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-slate-100 disabled:opacity-60";

/** Runs the adoption with the options the plan on the page was made with. */
export function RunAdoptionForm({
  options,
  blockedBy,
  liveOwner,
  rows,
}: {
  options: AdoptionOptionsInput;
  blockedBy: string | null;
  /** A live customer as the owner of the existing rows: its users see them at once, so Run asks. */
  liveOwner: { id: string; name: string } | null;
  rows: number;
}) {
  const [state, action, pending] = useActionState(startAdoptionAction, null);
  return (
    <form action={action} noValidate className="flex flex-wrap items-center gap-3">
      {liveOwner && (
        <label className="flex basis-full items-start gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
          <input type="checkbox" name="confirmOwner" value={liveOwner.id} className="mt-0.5" />
          <span>
            {liveOwner.name} ({liveOwner.id}) is a live customer. All {rows.toLocaleString("en")}{" "}
            existing rows become its data, visible to its users as soon as the run commits. I
            confirm {liveOwner.name} owns them.
          </span>
        </label>
      )}
      <input type="hidden" name="schema" value={options.schema} />
      <input type="hidden" name="tenant" value={options.tenant} />
      <input type="hidden" name="column" value={options.column} />
      <input type="hidden" name="global" value={options.global.join(",")} />
      <input type="hidden" name="globalUnique" value={options.globalUnique.join(",")} />
      <input type="hidden" name="fromColumn" value={options.fromColumn ?? ""} />
      <input type="hidden" name="tenantsTable" value={options.tenantsTable ?? ""} />
      <input type="hidden" name="nameColumn" value={options.nameColumn ?? ""} />
      <input type="hidden" name="nullTenant" value={options.nullTenant ?? ""} />
      <input type="hidden" name="via" value={options.via.join(",")} />
      <button
        type="submit"
        disabled={pending || blockedBy !== null}
        className={buttonClass}
        aria-describedby={blockedBy ? "run-blocked" : undefined}
      >
        {pending ? "Starting…" : "Run adoption"}
      </button>
      {blockedBy && (
        <span id="run-blocked" className="text-sm text-slate-500">
          {blockedBy}
        </span>
      )}
      <ActionMessage state={state} />
    </form>
  );
}

export function VerifyNowForm({ schema, disabled }: { schema: string; disabled: boolean }) {
  const [state, action, pending] = useActionState(verifyNowAction, null);
  return (
    <form action={action} className="flex items-center gap-3">
      <input type="hidden" name="schema" value={schema} />
      <button type="submit" disabled={pending || disabled} className={secondaryClass}>
        {pending ? "Verifying…" : "Verify now"}
      </button>
      <ActionMessage state={state} />
    </form>
  );
}

/** Revert asks once more: it undoes the adoption, and says what that means. */
export function RevertForm({ schema, disabled }: { schema: string; disabled: boolean }) {
  const [state, action, pending] = useActionState(startRevertAction, null);
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <div className="flex items-center gap-3">
        <button
          type="button"
          disabled={disabled}
          onClick={() => setConfirming(true)}
          className={secondaryClass}
        >
          Revert…
        </button>
        <ActionMessage state={state} />
      </div>
    );
  }
  return (
    <form
      action={action}
      role="group"
      aria-label="Confirm the revert"
      className="flex flex-wrap items-center gap-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm"
    >
      <input type="hidden" name="schema" value={schema} />
      <span>
        Revert the adoption of <strong>{schema}</strong>? Policies, composite keys and the tenant
        column go; the original keys come back. It is refused while other customers own rows.
      </span>
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-amber-600 px-3 py-1.5 font-medium text-white hover:bg-amber-700"
        autoFocus
      >
        {pending ? "Starting…" : "Revert now"}
      </button>
      <button type="button" onClick={() => setConfirming(false)} className={secondaryClass}>
        Cancel
      </button>
      <ActionMessage state={state} />
    </form>
  );
}
