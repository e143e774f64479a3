"use client";

import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { endSwitchAction } from "@/lib/switches/actions";

export function EndSwitchForm({ switchId, who }: { switchId: string; who: string }) {
  const [state, action, pending] = useActionState(endSwitchAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form
      action={action}
      noValidate
      className="flex flex-wrap items-center justify-end gap-2"
      aria-label={`End ${who}'s switch`}
    >
      <input type="hidden" name="switchId" value={switchId} />
      <input
        name="reason"
        aria-label="Reason for ending it"
        placeholder="Why end it?"
        className="w-48 rounded-md border border-slate-300 px-2 py-1 text-xs"
      />
      <button
        type="submit"
        disabled={pending}
        className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100"
      >
        End
      </button>
      {errors?.reason && <span className="text-xs text-red-700">{errors.reason[0]}</span>}
      {state && !errors && <ActionMessage state={state} />}
    </form>
  );
}
