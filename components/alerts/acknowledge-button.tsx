"use client";

import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { acknowledgeAlertAction } from "@/lib/alerts/actions";

export function AcknowledgeButton({ id, summary }: { id: string; summary: string }) {
  const [state, action, pending] = useActionState(acknowledgeAlertAction, null);
  return (
    <form action={action} className="flex items-center justify-end gap-3">
      <input type="hidden" name="id" value={id} />
      {state && !state.ok && <ActionMessage state={state} />}
      <button
        type="submit"
        disabled={pending}
        aria-label={`Acknowledge: ${summary}`}
        className="rounded-md border border-slate-300 px-2 py-1 text-xs text-slate-700 hover:bg-slate-100"
      >
        Acknowledge
      </button>
    </form>
  );
}
