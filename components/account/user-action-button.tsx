"use client";

import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import type { ActionState } from "@/lib/auth/action";

/** A one-button form an admin uses on a user (a reset link, ending sessions), with its answer. */
export function UserActionButton({
  action,
  userId,
  text,
  label,
  shown,
}: {
  action: (previous: ActionState, formData: FormData) => Promise<ActionState>;
  userId: string;
  text: string;
  label: string;
  /** What a successful answer shows beyond its sentence (a link shown once). */
  shown?: (state: ActionState) => React.ReactNode;
}) {
  const [state, submit, pending] = useActionState(action, null);
  return (
    <form action={submit} className="space-y-2">
      <input type="hidden" name="userId" value={userId} />
      <button
        type="submit"
        disabled={pending}
        aria-label={label}
        className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100"
      >
        {text}
      </button>
      <ActionMessage state={state} />
      {shown?.(state)}
    </form>
  );
}
