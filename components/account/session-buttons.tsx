"use client";

import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { endOtherSessionsAction, endOwnSessionAction } from "@/lib/auth/account-actions";
import { endUserSessionsAction } from "@/lib/users/actions";
import { endSessionsAnyAction } from "@/lib/users/platform-actions";
import { UserActionButton } from "./user-action-button";

const small = "rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100";

/** Ends one of one's own sessions. */
export function EndSessionButton({ sessionId, label }: { sessionId: string; label: string }) {
  const [state, action, pending] = useActionState(endOwnSessionAction, null);
  return (
    <form action={action} className="flex items-center justify-end gap-2">
      <input type="hidden" name="sessionId" value={sessionId} />
      <button type="submit" disabled={pending} aria-label={`End ${label}`} className={small}>
        End
      </button>
      {state && !state.ok && <ActionMessage state={state} />}
    </form>
  );
}

export function EndOtherSessionsButton() {
  const [state, action, pending] = useActionState(endOtherSessionsAction, null);
  return (
    <form action={action} className="space-y-2">
      <button type="submit" disabled={pending} className={small}>
        End all other sessions
      </button>
      <ActionMessage state={state} />
    </form>
  );
}

/** An admin ends every session of a user: a customer's admin for its users, a super-admin for anyone. */
export function EndUserSessionsButton({
  userId,
  email,
  platform = false,
}: {
  userId: string;
  email: string;
  platform?: boolean;
}) {
  return (
    <UserActionButton
      action={platform ? endSessionsAnyAction : endUserSessionsAction}
      userId={userId}
      text="End sessions"
      label={`End sessions of ${email}`}
    />
  );
}
