import { CreateCustomerForm } from "@/components/customers/create-customer-form";
import { PageHeader } from "@/components/ui/page-header";
import { listPlans } from "@/lib/customers/queries";
import { platformPage } from "@/lib/auth/pages";

export const dynamic = "force-dynamic";
export const metadata = { title: "New customer" };

export default async function NewCustomerPage() {
  const { data: plans } = await platformPage(
    { permission: "customers.manage", action: "customers.view-form" },
    (tx) => listPlans(tx),
  );
  return (
    <>
      <PageHeader
        title="New customer"
        description="A new tenant of the platform; its ID is made for it."
      />
      <CreateCustomerForm
        plans={plans.map((p) => ({ name: p.name, displayName: p.displayName }))}
      />
    </>
  );
}
