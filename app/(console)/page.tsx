import { redirect } from "next/navigation";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getRequestContext } from "@/lib/auth/context";
import { can } from "@/lib/auth/permissions";

export const dynamic = "force-dynamic";

/** Super-admins land on the platform overview; customer users on their customer's home. */
export default async function OverviewPage() {
  const ctx = await getRequestContext();
  if (!ctx) redirect("/sign-in");
  if (!can(ctx.role, "usage.platform")) redirect("/home");
  return (
    <>
      <PageHeader title="Overview" description="The platform at a glance." />
      <EmptyState title="Nothing to show yet">
        Customers, usage and migrations appear here as they are added to the console.
      </EmptyState>
    </>
  );
}
