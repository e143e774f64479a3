"use client";

// Setting up the second factor: a QR code and the secret to type in, confirmed by a first code;
// then the recovery codes, shown once. New recovery codes, and turning it off, ask for a current
// code.
import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass, Field, inputClass } from "@/components/ui/field";
import {
  beginTwoFactorAction,
  confirmTwoFactorAction,
  newRecoveryCodesAction,
  removeTwoFactorAction,
} from "@/lib/auth/account-actions";

function CodeField({
  id,
  errors,
  label = "Code from your authenticator app",
}: {
  id: string;
  errors?: string[];
  label?: string;
}) {
  return (
    <Field id={id} label={label} errors={errors}>
      <input
        id={id}
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={8}
        required
        className={`${inputClass} max-w-40 font-mono`}
        aria-invalid={Boolean(errors)}
      />
    </Field>
  );
}

export function TwoFactorSetup() {
  const [begun, begin, beginning] = useActionState(beginTwoFactorAction, null);
  const [confirmed, confirm, confirming] = useActionState(confirmTwoFactorAction, null);
  const enrolment = begun?.ok ? begun.data : undefined;
  if (confirmed?.ok && confirmed.data?.recoveryCodes) {
    return (
      <div className="space-y-3">
        <ActionMessage state={confirmed} />
        <RecoveryCodes codes={confirmed.data.recoveryCodes} />
        {/* A full load: the console's shell renders for the role the user now has. */}
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
        <a href="/" className={buttonClass}>
          Continue to the console
        </a>
      </div>
    );
  }
  if (!enrolment) {
    return (
      <form action={begin} className="space-y-3">
        <p className="text-sm text-slate-600">
          Use an authenticator app (1Password, Google Authenticator, Authy, …): after your password,
          sign-in asks for the six-digit code it shows.
        </p>
        <ActionMessage state={begun} />
        <button type="submit" disabled={beginning} className={buttonClass}>
          Set up two-factor
        </button>
      </form>
    );
  }
  const errors = confirmed && !confirmed.ok ? confirmed.fieldErrors : undefined;
  return (
    <form action={confirm} className="space-y-4" noValidate aria-label="Confirm two-factor">
      <p className="text-sm text-slate-600">
        Scan this code with your authenticator app, or type in the secret. Then enter the code it
        shows.
      </p>
      {/* eslint-disable-next-line @next/next/no-img-element -- a data URL made on the server */}
      <img
        src={enrolment.qr}
        alt="QR code to scan with an authenticator app"
        width={192}
        height={192}
      />
      <p className="text-sm">
        Secret:{" "}
        <code data-testid="totp-secret" className="rounded bg-slate-100 px-2 py-1 font-mono">
          {enrolment.secret}
        </code>
      </p>
      <CodeField id="enrol-code" errors={errors?.code} />
      <ActionMessage state={confirmed} />
      <button type="submit" disabled={confirming} className={buttonClass}>
        Turn on two-factor
      </button>
    </form>
  );
}

/** Recovery codes as an action answered them (space-separated), shown once. */
function RecoveryCodes({ codes }: { codes: string }) {
  return (
    <ol
      aria-label="Recovery codes"
      className="grid max-w-md grid-cols-2 gap-2 rounded-md bg-slate-50 p-4 font-mono text-sm"
    >
      {codes.split(" ").map((code) => (
        <li key={code}>{code}</li>
      ))}
    </ol>
  );
}

/** New recovery codes for a factor that is on: every old one stops working. */
export function NewRecoveryCodes() {
  const [state, action, pending] = useActionState(newRecoveryCodesAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  if (state?.ok && state.data?.recoveryCodes)
    return (
      <div className="space-y-3">
        <ActionMessage state={state} />
        <RecoveryCodes codes={state.data.recoveryCodes} />
      </div>
    );
  return (
    <form action={action} className="space-y-3" noValidate aria-label="New recovery codes">
      <CodeField
        id="recovery-code"
        label="Six-digit code, for new recovery codes"
        errors={errors?.code}
      />
      <ActionMessage state={state} />
      <button type="submit" disabled={pending} className={buttonClass}>
        Make new recovery codes
      </button>
    </form>
  );
}

export function TwoFactorRemove() {
  const [state, action, pending] = useActionState(removeTwoFactorAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={action} className="space-y-3" noValidate aria-label="Turn two-factor off">
      <CodeField id="remove-code" errors={errors?.code} />
      <ActionMessage state={state} />
      <button
        type="submit"
        disabled={pending}
        className="rounded-md border border-red-200 px-3 py-2 text-sm text-red-700 hover:bg-red-50"
      >
        Turn two-factor off
      </button>
    </form>
  );
}
