"use client";

import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { revokeInviteAction } from "@/lib/invites/actions";

export function RevokeInviteButton({ inviteId, email }: { inviteId: string; email: string }) {
  const [state, action, pending] = useActionState(revokeInviteAction, null);
  return (
    <form action={action} className="flex items-center justify-end gap-3">
      <input type="hidden" name="inviteId" value={inviteId} />
      {state && !state.ok && <ActionMessage state={state} />}
      <button
        type="submit"
        disabled={pending}
        aria-label={`Withdraw the invitation for ${email}`}
        className="rounded-md border border-slate-300 px-2 py-1 text-xs text-slate-700 hover:bg-slate-100"
      >
        Withdraw
      </button>
    </form>
  );
}
