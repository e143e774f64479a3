import { ResetPasswordForm } from "@/components/auth/reset-password-form";
import { resetTokenSchema } from "@/lib/auth/account-schemas";
import { findOpenReset, INVALID_RESET } from "@/lib/auth/resets";

export const dynamic = "force-dynamic";
export const metadata = { title: "Reset your password" };

export default async function ResetPasswordPage({
  params,
}: {
  params: Promise<{ token: string }>;
}) {
  const { token } = await params;
  const parsed = resetTokenSchema.safeParse(token);
  const reset = parsed.success
    ? await findOpenReset(parsed.data)
    : { ok: false as const, reason: INVALID_RESET };
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="mb-1 text-xl font-semibold tracking-tight text-indigo-700">Tenantry</h1>
        {reset.ok ? (
          <>
            <p className="mb-6 text-sm text-slate-500">
              Choose a new password. Every browser signed in to this account is signed out.
            </p>
            <ResetPasswordForm token={token} email={reset.email} />
          </>
        ) : (
          <p role="alert" className="mt-4 text-sm text-red-700">
            {reset.reason}
          </p>
        )}
      </div>
    </main>
  );
}
