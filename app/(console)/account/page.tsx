import { EndOtherSessionsButton, EndSessionButton } from "@/components/account/session-buttons";
import {
  NewRecoveryCodes,
  TwoFactorRemove,
  TwoFactorSetup,
} from "@/components/account/two-factor-setup";
import { dateTime } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Section } from "@/components/ui/section";
import { Cell, Row, Table } from "@/components/ui/table";
import { accountPage } from "@/lib/auth/pages";
import { deviceName, listSessions } from "@/lib/auth/sessions";
import { twoFactorStatus } from "@/lib/auth/two-factor";

export const dynamic = "force-dynamic";
export const metadata = { title: "Your account" };

export default async function AccountPage() {
  const {
    ctx,
    data: { twoFactor, sessions },
  } = await accountPage(async (tx, { user }) => ({
    twoFactor: await twoFactorStatus(tx, user.id),
    sessions: await listSessions(tx, user.id),
  }));
  const required = ctx.role === "enrolling";
  return (
    <>
      <PageHeader title="Your account" description={`Signed in as ${ctx.user.email}.`} />
      <div className="space-y-6">
        {required && (
          <p
            role="alert"
            className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900"
          >
            {ctx.platformRole
              ? "Super-admins sign in with a second factor. Set it up to go on: until then, this is the only page you can open."
              : "Your organisation asks every user to sign in with a second factor. Set it up to go on."}
          </p>
        )}
        <Section title="Two-factor sign-in">
          {twoFactor.enabledAt ? (
            <div className="space-y-4">
              <p className="text-sm">
                On since {dateTime.format(twoFactor.enabledAt)} UTC. {twoFactor.recoveryCodesLeft}{" "}
                of 10 recovery codes left.
              </p>
              <NewRecoveryCodes />
              <TwoFactorRemove />
            </div>
          ) : (
            <TwoFactorSetup />
          )}
        </Section>
        <Section title="Your sessions">
          <p className="mb-3 text-sm text-slate-600">
            Every browser signed in to your account. Ending one signs it out at its next request.
          </p>
          <Table headers={["Device", "IP address", "Signed in (UTC)", "Last seen (UTC)", "", ""]}>
            {sessions.map((s) => {
              const device = deviceName(s.userAgent);
              const current = s.id === ctx.sessionId;
              return (
                <Row key={s.id}>
                  <Cell>
                    {device}
                    {current && <span className="ml-2 text-xs text-emerald-700">this browser</span>}
                  </Cell>
                  <Cell>{s.ip}</Cell>
                  <Cell>{dateTime.format(s.createdAt)}</Cell>
                  <Cell>{dateTime.format(s.lastSeenAt)}</Cell>
                  <Cell>{s.endedAt ? `ended: ${s.endReason}` : "open"}</Cell>
                  <Cell>
                    {!s.endedAt && !current && (
                      <EndSessionButton sessionId={s.id} label={`${device} session from ${s.ip}`} />
                    )}
                  </Cell>
                </Row>
              );
            })}
          </Table>
          <div className="mt-4">
            <EndOtherSessionsButton />
          </div>
        </Section>
      </div>
    </>
  );
}
