import { CreateCustomerForm } from "@/components/customers/create-customer-form";
import { PageHeader } from "@/components/ui/page-header";
import { withPlatform } from "@/db/tenant";
import { requirePage } from "@/lib/auth/pages";
import { listPlans } from "@/lib/customers/queries";

export const dynamic = "force-dynamic";
export const metadata = { title: "New customer" };

export default async function NewCustomerPage() {
  const ctx = await requirePage("customers.manage", { action: "customers.create" });
  const plans = await withPlatform(
    { userId: ctx.user.id, email: ctx.user.email, platformRole: ctx.platformRole },
    { action: "customers.create.form" },
    (tx) => listPlans(tx),
  );
  return (
    <>
      <PageHeader title="New customer" description="A new tenant of the platform; its ID is made for it." />
      <CreateCustomerForm plans={plans.map((p) => ({ name: p.name, displayName: p.displayName }))} />
    </>
  );
}
