"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { signInSchema } from "@/lib/auth/schemas";

const fieldClass = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";

/**
 * Email and password; then, for an account with a second factor, its code. The password step's
 * credentials are kept for the code step, and every submit sends them again: the server checks
 * the password with each code. Submitted by hand rather than as a form action, which would reset
 * the fields after each answer (and could empty one the user has begun to fill again).
 */
export function SignInForm({
  callbackUrl,
  defaultEmail,
}: {
  callbackUrl: string;
  defaultEmail?: string;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [awaitingCode, setAwaitingCode] = useState<{ email: string; password: string } | null>(
    null,
  );

  async function submit(formData: FormData) {
    setError(null);
    const parsed = signInSchema.safeParse(
      awaitingCode
        ? { ...awaitingCode, code: formData.get("code") }
        : { email: formData.get("email"), password: formData.get("password") },
    );
    if (!parsed.success) {
      setError(parsed.error.issues[0].message);
      return;
    }
    if (awaitingCode && !parsed.data.code) {
      setError("Enter the code from your authenticator app.");
      return;
    }
    setPending(true);
    // Only the fields there are: next-auth posts every key, an undefined one as "undefined".
    const { code, ...credentials } = parsed.data;
    const result = await signIn("credentials", {
      ...credentials,
      ...(code ? { code } : {}),
      redirect: false,
    });
    setPending(false);
    if (result?.error === "code-required") {
      setAwaitingCode(credentials);
      return;
    }
    if (!result || result.error) {
      setError(result?.error ?? "Sign-in failed. Try again.");
      return;
    }
    router.replace(callbackUrl);
    router.refresh();
  }

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void submit(new FormData(event.currentTarget));
      }}
      className="space-y-4"
      noValidate
    >
      {awaitingCode ? (
        <div>
          <p className="mb-3 text-sm text-slate-600">
            Signing in as <span className="font-medium">{awaitingCode.email}</span>.{" "}
            <button
              type="button"
              onClick={() => {
                setAwaitingCode(null);
                setError(null);
              }}
              className="text-indigo-700 underline"
            >
              Not you?
            </button>
          </p>
          <label htmlFor="code" className="block text-sm font-medium text-slate-700">
            Code from your authenticator app
          </label>
          <p id="code-hint" className="text-xs text-slate-500">
            Six digits, or one of your recovery codes.
          </p>
          <input
            id="code"
            name="code"
            autoComplete="one-time-code"
            inputMode="numeric"
            required
            autoFocus
            aria-describedby="code-hint"
            maxLength={32}
            className={fieldClass}
          />
        </div>
      ) : (
        <>
          <div>
            <label htmlFor="email" className="block text-sm font-medium text-slate-700">
              Email
            </label>
            <input
              id="email"
              name="email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              defaultValue={defaultEmail}
              className={fieldClass}
            />
          </div>
          <div>
            <label htmlFor="password" className="block text-sm font-medium text-slate-700">
              Password
            </label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              className={fieldClass}
            />
          </div>
        </>
      )}
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60"
      >
        {pending ? "Signing in…" : awaitingCode ? "Verify" : "Sign in"}
      </button>
    </form>
  );
}
