"use client";

// A move's two buttons: roll back (before the flip) and clean up now (after it, while the old
// database still holds the customer's rows).
import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass } from "@/components/ui/field";
import { cleanUpMoveAction, rollBackMoveAction } from "@/lib/placement/actions";

export function RollBackButton({ id }: { id: string }) {
  const [state, action, pending] = useActionState(rollBackMoveAction, null);
  return (
    <form action={action} aria-label="Roll back this move" className="space-y-2">
      <input type="hidden" name="id" value={id} />
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? "Rolling back…" : "Roll back"}
      </button>
      <ActionMessage state={state} />
    </form>
  );
}

export function CleanUpButton({ id, source }: { id: string; source: string }) {
  const [state, action, pending] = useActionState(cleanUpMoveAction, null);
  return (
    <form action={action} aria-label="Clean up this move" className="space-y-2">
      <input type="hidden" name="id" value={id} />
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? "Deleting…" : `Clean up now: delete the old rows on ${source}`}
      </button>
      <ActionMessage state={state} />
    </form>
  );
}
