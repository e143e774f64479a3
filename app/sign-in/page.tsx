import { z } from "zod";
import { SignInForm } from "@/components/auth/sign-in-form";
import { hasSuperAdmin } from "@/lib/auth/super-admins";

export const dynamic = "force-dynamic";

export const metadata = { title: "Sign in" };

// Only same-site paths: an open redirect would let a link send a fresh session elsewhere.
const searchSchema = z.object({
  callbackUrl: z
    .string()
    .max(2000)
    .regex(/^\/(?!\/)[^\s\\]*$/)
    .catch("/")
    .default("/"),
  // Set after accepting an invitation: the new account's email, to prefill the form.
  invited: z.email().optional().catch(undefined),
  // Set after a password reset: the account's email.
  reset: z.email().optional().catch(undefined),
});

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const { callbackUrl, invited, reset } = searchSchema.parse(await searchParams);
  // A database without a super-admin: say how to make the first one (never a default password).
  const firstRun = !(await hasSuperAdmin().catch(() => true));
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="mb-1 text-xl font-semibold tracking-tight text-indigo-700">Tenantry</h1>
        <p className="mb-6 text-sm text-slate-500">
          {invited
            ? "Your account is ready. Sign in with your new password."
            : reset
              ? "Your password is changed. Sign in with the new one."
              : "Sign in to the console."}
        </p>
        {firstRun && (
          <p
            role="status"
            className="mb-6 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900"
          >
            No super-admin exists yet. On the server, create the first one with{" "}
            <code className="font-mono">npm run admin:create -- --email you@example.com</code>.
          </p>
        )}
        <SignInForm callbackUrl={callbackUrl} defaultEmail={invited ?? reset} />
      </div>
    </main>
  );
}
