import { PageHeader } from "@/components/ui/page-header";
import { IsolationChecks } from "@/components/system/isolation-checks";
import { appIsolationReport } from "@/db/guard";

export const dynamic = "force-dynamic";
export const metadata = { title: "System health" };

export default async function SystemPage() {
  const report = await appIsolationReport();
  return (
    <>
      <PageHeader
        title="System health"
        description="The checks the console runs before it serves: its login role is subject to row-level security, and every tenant table is isolated."
      />
      <IsolationChecks report={report} />
    </>
  );
}
