import { notFound, redirect } from "next/navigation";
import { IsolationChecks } from "@/components/system/isolation-checks";
import { PageHeader } from "@/components/ui/page-header";
import { appIsolationReport } from "@/db/guard";
import { getRequestContext } from "@/lib/auth/context";
import { can } from "@/lib/auth/permissions";

export const dynamic = "force-dynamic";
export const metadata = { title: "System health" };

export default async function SystemPage() {
  const ctx = await getRequestContext();
  if (!ctx) redirect("/sign-in");
  // 404, not 403: a customer user learns nothing about which platform pages exist.
  if (!can(ctx.role, "system.health")) notFound();
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
