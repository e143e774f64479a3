import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditTable } from "@/components/audit/audit-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { keysetPager } from "@/components/ui/pager";
import { listAuditEvents } from "@/lib/audit/queries";
import { auditFilterSchema } from "@/lib/audit/schemas";
import { listAccessesTo } from "@/lib/switches/queries";
import { dateTime as time } from "@/components/ui/format";
import { tenantPage } from "@/lib/auth/pages";

export const dynamic = "force-dynamic";
export const metadata = { title: "Audit trail" };

export default async function CustomerAuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const filter = auditFilterSchema.parse(await searchParams);
  const {
    ctx,
    data: [list, accesses],
  } = await tenantPage(
    { permission: "audit-trail.read", action: "audit.list" },
    async (tx, { customer }) =>
      [
        await listAuditEvents(tx, filter, customer.id),
        await listAccessesTo(tx, customer.id),
      ] as const,
  );
  return (
    <>
      <PageHeader
        title="Audit trail"
        description={`What happened in ${ctx.customer.name}'s console, and every access by platform staff.`}
      />
      <section aria-labelledby="staff-heading" className="mb-8">
        <h2 id="staff-heading" className="mb-2 text-base font-medium">
          Platform staff access
        </h2>
        {accesses.length === 0 ? (
          <EmptyState title="Platform staff have not accessed your organisation" />
        ) : (
          <ul className="space-y-3">
            {accesses.map((a) => (
              <li key={a.id} className="rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm">
                <p>
                  <strong>{a.superAdminEmail}</strong> ·{" "}
                  {a.mode === "read" ? "read only" : "read and write"} · {time.format(a.startedAt)}{" "}
                  UTC
                  {a.endedAt ? ` to ${time.format(a.endedAt)} UTC` : " · still open"}
                </p>
                <p className="mt-1">Reason: {a.reason}</p>
                {a.events.length > 0 && (
                  <p className="mt-1 text-slate-700">
                    {a.events.length} event{a.events.length === 1 ? "" : "s"}:{" "}
                    {a.events
                      .map((e) => `${e.action}${e.outcome === "ok" ? "" : ` (${e.outcome})`}`)
                      .join(", ")}
                  </p>
                )}
                {a.invites.length > 0 && (
                  <p className="mt-1 text-slate-700">
                    Invited during this access:{" "}
                    {a.invites.map((i) => `${i.email} (${i.role})`).join(", ")}
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <AuditFilters filter={filter} path="/audit-trail" showCustomer={false} />
      <AuditTable
        rows={list.rows.map((r) => ({ ...r, at: r.at.toISOString() }))}
        pager={keysetPager(list, filter.size)}
        showCustomer={false}
      />
    </>
  );
}
