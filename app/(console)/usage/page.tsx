import { notFound } from "next/navigation";
import { formatBytes, QuotaBar, Trend, UsageFigures } from "@/components/usage/usage-figures";
import { PageHeader } from "@/components/ui/page-header";
import { withTenant } from "@/db/tenant";
import { requirePage } from "@/lib/auth/pages";
import { dailyTrend, effectiveLimits, latestFigures } from "@/lib/usage/queries";

export const dynamic = "force-dynamic";
export const metadata = { title: "Usage" };

/** A customer's own usage: always the context's customer; nothing in the URL chooses another. */
export default async function UsagePage() {
  const ctx = await requirePage("usage.own", { action: "usage.view" });
  if (!ctx.customer) notFound();
  const tenantId = ctx.customer.id;
  const { latest, limits, users, actions } = await withTenant(
    { tenantId },
    async (tx) => ({
      latest: await latestFigures(tx, tenantId),
      limits: await effectiveLimits(tx, tenantId),
      users: await dailyTrend(tx, tenantId, "users.total"),
      actions: await dailyTrend(tx, tenantId, "actions.30d"),
    }),
    { readOnly: true },
  );
  if (!limits) notFound();
  const scoped = "rows.total" in latest.figures;
  return (
    <>
      <PageHeader title="Usage" description={`${ctx.customer.name} on the ${limits.plan} plan.`} />
      <div className="space-y-6">
        <UsageFigures figures={latest.figures} takenAt={latest.takenAt} scoped={scoped} />
        <section aria-label="Quotas" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
          <QuotaBar label="Console users" used={latest.takenAt ? (latest.figures["users.total"] ?? 0) : null} limit={limits.maxUsers} />
          <QuotaBar label="Data-plane rows" used={scoped ? latest.figures["rows.total"] : null} limit={limits.maxRows} />
          <QuotaBar label="Storage" used={scoped ? latest.figures["storage.bytes"] : null} limit={limits.maxStorageBytes} format={formatBytes} />
        </section>
        <div className="grid gap-6 md:grid-cols-2">
          <Trend title="Console users, last 30 days" points={users} />
          <Trend title="Audited actions (30-day window), last 30 days" points={actions} />
        </div>
      </div>
    </>
  );
}
