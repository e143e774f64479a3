import { redirect } from "next/navigation";
import { Header } from "@/components/shell/header";
import { Sidebar } from "@/components/shell/sidebar";
import { SwitchBanner } from "@/components/switches/switch-banner";
import { TrialBanner } from "@/components/customers/trial-banner";
import { openAlertsForHeader } from "@/lib/alerts/queries";
import { getRequestContext } from "@/lib/auth/context";
import { can } from "@/lib/auth/permissions";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const ctx = await getRequestContext();
  if (!ctx) redirect("/sign-in");
  return (
    <>
      <a
        href="#content"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2"
      >
        Skip to content
      </a>
      <div className="flex min-h-screen">
        <Sidebar role={ctx.role} />
        <div className="flex min-w-0 flex-1 flex-col">
          {ctx.activeSwitch && ctx.customer && (
            <SwitchBanner
              customer={ctx.customer}
              mode={ctx.activeSwitch.mode}
              expiresAt={ctx.activeSwitch.expiresAt.toISOString()}
            />
          )}
          {ctx.customer && <TrialBanner customer={ctx.customer} />}
          <Header
            ctx={ctx}
            openAlerts={can(ctx.role, "alerts.manage") ? await openAlertsForHeader() : undefined}
          />
          <main id="content" className="flex-1 px-8 py-6">
            {children}
          </main>
        </div>
      </div>
    </>
  );
}
