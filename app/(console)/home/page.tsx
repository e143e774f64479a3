import { notFound, redirect } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { withTenant } from "@/db/tenant";
import { getRequestContext } from "@/lib/auth/context";
import { can } from "@/lib/auth/permissions";
import { getOwnCustomer } from "@/lib/customers/queries";
import { formatCustomerId } from "@/lib/customers/ids";

export const dynamic = "force-dynamic";
export const metadata = { title: "Home" };

export default async function CustomerHomePage() {
  const ctx = await getRequestContext();
  if (!ctx) redirect("/sign-in");
  if (!ctx.customer || !can(ctx.role, "usage.own")) notFound();
  const tenantId = ctx.customer.id;
  const customer = await withTenant({ tenantId }, (tx) => getOwnCustomer(tx, tenantId), { readOnly: true });
  if (!customer) notFound();
  return (
    <>
      <PageHeader title={customer.name} description="Your organisation on the platform." />
      <dl className="grid max-w-xl grid-cols-[10rem_1fr] gap-y-2 rounded-lg border border-slate-200 bg-white p-6 text-sm">
        <dt className="text-slate-500">Customer ID</dt>
        <dd className="font-mono">{formatCustomerId(customer.id)}</dd>
        <dt className="text-slate-500">Status</dt>
        <dd>{customer.status}</dd>
        <dt className="text-slate-500">Contact</dt>
        <dd>{customer.contactEmail}</dd>
        <dt className="text-slate-500">Your role</dt>
        <dd>{ctx.membershipRole}</dd>
      </dl>
    </>
  );
}
