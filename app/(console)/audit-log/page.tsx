import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditTable } from "@/components/audit/audit-table";
import { PageHeader } from "@/components/ui/page-header";
import { keysetPager } from "@/components/ui/pager";
import { listAuditEvents } from "@/lib/audit/queries";
import { auditFilterSchema } from "@/lib/audit/schemas";
import { platformPage } from "@/lib/auth/pages";

export const dynamic = "force-dynamic";
export const metadata = { title: "Audit log" };

export default async function PlatformAuditLogPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const filter = auditFilterSchema.parse(await searchParams);
  const { data: list } = await platformPage(
    // Viewing one customer's events is on that customer's own trail too (access transparency).
    {
      permission: "audit-log.read",
      action: "audit.list",
      tenantId: filter.customer,
      details: { ...filter },
    },
    (tx) => listAuditEvents(tx, filter),
  );
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every audited action on the platform, newest first. The log is append-only and hash-chained."
      />
      <AuditFilters filter={filter} path="/audit-log" showCustomer />
      <AuditTable
        rows={list.rows.map((r) => ({ ...r, at: r.at.toISOString() }))}
        pager={keysetPager(list, filter.size)}
        showCustomer
      />
    </>
  );
}
