"use client";

import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { refreshUsageAction } from "@/lib/usage/actions";

export function RefreshUsageButton() {
  const [state, action, pending] = useActionState(refreshUsageAction, null);
  return (
    <form action={action} className="flex items-center gap-3">
      <ActionMessage state={state} />
      <button
        type="submit"
        disabled={pending}
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100"
      >
        {pending ? "Refreshing…" : "Refresh figures"}
      </button>
    </form>
  );
}
