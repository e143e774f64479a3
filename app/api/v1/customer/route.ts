import { withTenant } from "@/db/tenant";
import { customerInfo } from "@/lib/api/queries";
import { problem } from "@/lib/api/problem";
import { apiRoute } from "@/lib/api/route";
import { ENDPOINTS } from "@/lib/api/endpoints";

export const dynamic = "force-dynamic";

/** The caller's customer: its status, plan and limits. */
export const GET = apiRoute(
  ENDPOINTS.customer,
  async (caller) =>
    (await withTenant({ tenantId: caller.tenantId! }, (tx) => customerInfo(tx, caller.tenantId!), {
      readOnly: true,
    })) ?? problem(404, "not-found", "Not found."),
);
