"use client";

// A password reset link for a user, shown once (and sent: the server log, without a mail sender).
import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { inputClass } from "@/components/ui/field";
import { issueResetAction } from "@/lib/users/actions";
import { issueResetAnyAction } from "@/lib/users/platform-actions";

export function ResetLinkButton({
  userId,
  email,
  platform = false,
}: {
  userId: string;
  email: string;
  platform?: boolean;
}) {
  const [state, action, pending] = useActionState(
    platform ? issueResetAnyAction : issueResetAction,
    null,
  );
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="userId" value={userId} />
      <button
        type="submit"
        disabled={pending}
        aria-label={`Reset link for ${email}`}
        className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100"
      >
        Reset link
      </button>
      <ActionMessage state={state} />
      {state?.ok && state.data?.link && (
        <input
          readOnly
          aria-label={`The reset link for ${email}`}
          value={state.data.link}
          onFocus={(e) => e.currentTarget.select()}
          className={`${inputClass} font-mono text-xs`}
        />
      )}
    </form>
  );
}
