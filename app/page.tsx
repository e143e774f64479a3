import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export default function OverviewPage() {
  return (
    <>
      <PageHeader title="Overview" description="The platform at a glance." />
      <EmptyState title="Nothing to show yet">
        Customers, usage and migrations appear here as they are added to the console.
      </EmptyState>
    </>
  );
}
