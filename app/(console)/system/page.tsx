import { IsolationChecks } from "@/components/system/isolation-checks";
import { PageHeader } from "@/components/ui/page-header";
import { appIsolationReport } from "@/db/guard";
import { platformPage } from "@/lib/auth/pages";

export const dynamic = "force-dynamic";
export const metadata = { title: "System health" };

export default async function SystemPage() {
  // 404, not 403: a customer user learns nothing about which platform pages exist. The checks
  // read the catalog as the app's login role, on a connection of their own.
  const { data: report } = await platformPage(
    { permission: "system.read", action: "system.view" },
    () => appIsolationReport(),
  );
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
