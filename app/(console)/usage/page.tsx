import {
  ApiCallsBar,
  EVENT_KINDS_SHOWN,
  formatBytes,
  MeteredEvents,
  QuotaBar,
  UsageFigures,
} from "@/components/usage/usage-figures";
import { Section } from "@/components/ui/section";
import { Trend } from "@/components/usage/trend";
import { PageHeader } from "@/components/ui/page-header";
import { apiCallsThisMonth, eventsOfMonth } from "@/lib/api/queries";
import { dailyTrend, effectiveLimits, latestFigures } from "@/lib/usage/queries";
import { tenantPage } from "@/lib/auth/pages";

export const dynamic = "force-dynamic";
export const metadata = { title: "Usage" };

/** A customer's own usage: always the context's customer; nothing in the URL chooses another. */
export default async function UsagePage() {
  const {
    ctx,
    data: { latest, limits, calls, events, trends },
  } = await tenantPage(
    { permission: "usage.read", action: "usage.view" },
    async (tx, { customer }) => {
      const limits = await effectiveLimits(tx, customer.id);
      if (!limits) return null;
      const calls = await apiCallsThisMonth(tx, customer.id);
      return {
        latest: await latestFigures(tx, customer.id),
        limits,
        calls,
        events: await eventsOfMonth(tx, customer.id, calls.month, EVENT_KINDS_SHOWN + 1),
        trends: await dailyTrend(tx, customer.id, ["users.total", "actions.30d"]),
      };
    },
  );
  const scoped = "rows.total" in latest.figures;
  return (
    <>
      <PageHeader title="Usage" description={`${ctx.customer.name} on the ${limits.plan} plan.`} />
      <div className="space-y-6">
        <UsageFigures figures={latest.figures} takenAt={latest.takenAt} scoped={scoped} />
        <section
          aria-label="Quotas"
          className="space-y-4 rounded-lg border border-slate-200 bg-white p-6"
        >
          <QuotaBar
            label="Console users"
            used={latest.takenAt ? (latest.figures["users.total"] ?? 0) : null}
            limit={limits.maxUsers}
          />
          <QuotaBar
            label="Data-plane rows"
            used={scoped ? latest.figures["rows.total"] : null}
            limit={limits.maxRows}
          />
          <QuotaBar
            label="Storage"
            used={scoped ? latest.figures["storage.bytes"] : null}
            limit={limits.maxStorageBytes}
            format={formatBytes}
          />
          <ApiCallsBar calls={calls} limits={limits} />
        </section>
        <Section title="Metered events this month">
          <MeteredEvents month={calls.month} events={events} />
        </Section>
        <div className="grid gap-6 md:grid-cols-2">
          <Trend title="Console users, last 30 days" points={trends["users.total"]} />
          <Trend
            title="Audited actions (30-day window), last 30 days"
            points={trends["actions.30d"]}
          />
        </div>
      </div>
    </>
  );
}
