"use client";

import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass } from "@/components/ui/field";
import { requireTwoFactorAction } from "@/lib/users/actions";

/** A customer's admins decide whether its users must sign in with a second factor. */
export function RequireTwoFactorForm({ required }: { required: boolean }) {
  const [state, action, pending] = useActionState(requireTwoFactorAction, null);
  return (
    <section aria-labelledby="two-factor-heading" className="space-y-2">
      <h2 id="two-factor-heading" className="text-sm font-medium">
        Two-factor sign-in
      </h2>
      <p className="text-sm text-slate-600">
        {required
          ? "Required: every user signs in with a code from an authenticator app."
          : "Optional: each user decides on their account page."}
      </p>
      <form action={action}>
        <input type="hidden" name="require" value={required ? "off" : "on"} />
        <button type="submit" disabled={pending} className={buttonClass}>
          {required ? "Make two-factor optional" : "Require two-factor for every user"}
        </button>
      </form>
      <ActionMessage state={state} />
    </section>
  );
}
