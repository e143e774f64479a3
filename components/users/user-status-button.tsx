"use client";

import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { setUserStatusAction } from "@/lib/users/actions";

/** Suspends a user (their sessions end) or lets them back in. */
export function UserStatusButton({
  userId,
  email,
  status,
}: {
  userId: string;
  email: string;
  status: "active" | "disabled";
}) {
  const [state, action, pending] = useActionState(setUserStatusAction, null);
  const next = status === "active" ? "disabled" : "active";
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="status" value={next} />
      <button
        type="submit"
        disabled={pending}
        aria-label={`${next === "disabled" ? "Suspend" : "Reactivate"} ${email}`}
        className={
          next === "disabled"
            ? "rounded-md border border-red-200 px-2 py-1 text-xs text-red-700 hover:bg-red-50"
            : "rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100"
        }
      >
        {next === "disabled" ? "Suspend" : "Reactivate"}
      </button>
      <ActionMessage state={state} />
    </form>
  );
}
