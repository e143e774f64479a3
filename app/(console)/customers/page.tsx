import Link from "next/link";
import { CustomerFilters } from "@/components/customers/customer-filters";
import { CustomersTable } from "@/components/customers/customers-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { keysetPager } from "@/components/ui/pager";
import { listCustomers, listPlans } from "@/lib/customers/queries";
import { customerListSchema } from "@/lib/customers/schemas";
import { platformPage } from "@/lib/auth/pages";

export const dynamic = "force-dynamic";
export const metadata = { title: "Customers" };

export default async function CustomersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const params = customerListSchema.parse(await searchParams);
  const {
    data: { list, plans },
  } = await platformPage(
    {
      permission: "customers.manage",
      action: "customers.list",
      details: { ...params, cursor: params.cursor && { page: params.cursor.page } },
    },
    async (tx) => ({ list: await listCustomers(tx, params), plans: await listPlans(tx) }),
  );
  const filtered = Boolean(params.q || params.status || params.plan);
  return (
    <>
      <div className="flex items-start justify-between">
        <PageHeader title="Customers" description="Every tenant of the platform." />
        <Link
          href="/customers/new"
          className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700"
        >
          New customer
        </Link>
      </div>
      <CustomerFilters params={params} plans={plans} />
      {list.total.count === 0 && !filtered ? (
        <EmptyState title="No customers yet">Create the first one with New customer.</EmptyState>
      ) : list.total.count === 0 ? (
        <EmptyState title="No customer matches">
          Change the search or the filters, or clear them.
        </EmptyState>
      ) : (
        <CustomersTable
          rows={list.rows.map((r) => ({
            ...r,
            createdAt: r.createdAt.toISOString(),
            trialEndsAt: r.trialEndsAt?.toISOString() ?? null,
          }))}
          pager={keysetPager(list, params.size)}
          params={params}
        />
      )}
    </>
  );
}
