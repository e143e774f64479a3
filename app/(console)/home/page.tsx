import { ContactEmailForm } from "@/components/customers/contact-email-form";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/permissions";
import { formatCustomerId } from "@/lib/customers/ids";
import { getOwnCustomer } from "@/lib/customers/queries";
import { tenantPage } from "@/lib/auth/pages";
import { QuotaBanner } from "@/components/usage/quota-banner";
import { effectiveLimits, latestFigures } from "@/lib/usage/queries";
import { apiCallsThisMonth } from "@/lib/api/queries";
import { quotaLevels } from "@/lib/usage/quotas";

export const dynamic = "force-dynamic";
export const metadata = { title: "Home" };

/** A customer user's home: their organisation's profile; admins may change the contact email. */
export default async function CustomerHomePage() {
  const {
    ctx,
    data: { customer, quotas },
  } = await tenantPage(
    { permission: "usage.read", action: "home.view" },
    async (tx, { customer }) => {
      const own = await getOwnCustomer(tx, customer.id);
      const limits = await effectiveLimits(tx, customer.id);
      return own && limits
        ? {
            customer: own,
            quotas: quotaLevels(
              (await latestFigures(tx, customer.id)).figures,
              limits,
              (await apiCallsThisMonth(tx, customer.id)).calls,
            ),
          }
        : null;
    },
  );
  return (
    <>
      <PageHeader title={customer.name} description="Your organisation on the platform." />
      {can(ctx.role, "organisation.edit") && <QuotaBanner levels={quotas} />}
      <dl className="mb-6 grid max-w-xl grid-cols-[10rem_1fr] gap-y-2 rounded-lg border border-slate-200 bg-white p-6 text-sm">
        <dt className="text-slate-500">Customer ID</dt>
        <dd className="font-mono">{formatCustomerId(customer.id)}</dd>
        <dt className="text-slate-500">Status</dt>
        <dd>{customer.status}</dd>
        <dt className="text-slate-500">Plan</dt>
        <dd>{customer.plan}</dd>
        <dt className="text-slate-500">Contact</dt>
        <dd>{customer.contactEmail}</dd>
        <dt className="text-slate-500">Your role</dt>
        <dd>{ctx.membershipRole}</dd>
      </dl>
      {can(ctx.role, "organisation.edit") && (
        <ContactEmailForm version={customer.version} contactEmail={customer.contactEmail} />
      )}
      {can(ctx.role, "data.export-own") && (
        <section aria-labelledby="your-data" className="mt-6 max-w-xl text-sm">
          <h2 id="your-data" className="mb-1 font-medium">
            Your data
          </h2>
          <p className="mb-2 text-slate-600">
            Every row of your organisation, as an archive of CSV-like files and a manifest with
            counts and checksums. The download is recorded in your audit trail.
          </p>
          <a
            href="/api/data/export"
            download
            className="inline-block rounded-md border border-slate-300 bg-white px-3 py-2 font-medium hover:bg-slate-100"
          >
            Download your data
          </a>
        </section>
      )}
    </>
  );
}
