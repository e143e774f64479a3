import { AcceptInviteForm } from "@/components/users/accept-invite-form";
import { findOpenInvite, INVALID_INVITE } from "@/lib/invites/accept";
import { inviteTokenSchema } from "@/lib/invites/schemas";

export const dynamic = "force-dynamic";
export const metadata = { title: "Accept invitation" };

export default async function AcceptInvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const parsed = inviteTokenSchema.safeParse(token);
  const invite = parsed.success
    ? await findOpenInvite(parsed.data)
    : { ok: false as const, reason: INVALID_INVITE };
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="mb-1 text-xl font-semibold tracking-tight text-indigo-700">Tenantry</h1>
        {invite.ok ? (
          <>
            <p className="mb-6 text-sm text-slate-500">
              You are invited to {invite.customerName} as{" "}
              {invite.role === "admin" ? "an admin" : "a member"}. Choose your password.
            </p>
            <AcceptInviteForm token={token} email={invite.email} />
          </>
        ) : (
          <p role="alert" className="mt-4 text-sm text-red-700">
            {invite.reason}
          </p>
        )}
      </div>
    </main>
  );
}
