"use client";

import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { changeRoleAction, removeUserAction } from "@/lib/users/actions";

/** Change a user's role or remove them; the server refuses to leave the customer without an admin. */
export function MemberActions({
  userId,
  email,
  role,
}: {
  userId: string;
  email: string;
  role: "admin" | "member";
}) {
  const [roleState, changeRole, changing] = useActionState(changeRoleAction, null);
  const [removeState, remove, removing] = useActionState(removeUserAction, null);
  const other = role === "admin" ? "member" : "admin";
  return (
    <div className="flex flex-wrap items-center justify-end gap-2">
      <form action={changeRole}>
        <input type="hidden" name="userId" value={userId} />
        <input type="hidden" name="role" value={other} />
        <button
          type="submit"
          disabled={changing}
          aria-label={`Make ${other === "admin" ? "an admin" : "a member"}: ${email}`}
          className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100"
        >
          Make {other === "admin" ? "an admin" : "a member"}
        </button>
      </form>
      <form action={remove}>
        <input type="hidden" name="userId" value={userId} />
        <button
          type="submit"
          disabled={removing}
          aria-label={`Remove ${email}`}
          className="rounded-md border border-red-200 px-2 py-1 text-xs text-red-700 hover:bg-red-50"
        >
          Remove
        </button>
      </form>
      {roleState && !roleState.ok && <ActionMessage state={roleState} />}
      {removeState && !removeState.ok && <ActionMessage state={removeState} />}
    </div>
  );
}
