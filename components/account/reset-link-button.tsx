"use client";

// A password reset link for a user, shown once (and sent: the server log, without a mail sender).
import { inputClass } from "@/components/ui/field";
import { issueResetAction } from "@/lib/users/actions";
import { issueResetAnyAction } from "@/lib/users/platform-actions";
import { UserActionButton } from "./user-action-button";

export function ResetLinkButton({
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
      action={platform ? issueResetAnyAction : issueResetAction}
      userId={userId}
      text="Reset link"
      label={`Reset link for ${email}`}
      shown={(state) =>
        state?.ok &&
        state.data?.link && (
          <input
            readOnly
            aria-label={`The reset link for ${email}`}
            value={state.data.link}
            onFocus={(e) => e.currentTarget.select()}
            className={`${inputClass} font-mono text-xs`}
          />
        )
      }
    />
  );
}
