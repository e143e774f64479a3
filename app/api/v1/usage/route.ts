import { withTenant } from "@/db/tenant";
import { customerUsage } from "@/lib/api/queries";
import { problem } from "@/lib/api/problem";
import { apiRoute } from "@/lib/api/route";
import { ENDPOINTS } from "@/lib/api/endpoints";

export const dynamic = "force-dynamic";

/** The caller's customer's latest usage, a trend, this month's API calls and metered events. */
export const GET = apiRoute(
  ENDPOINTS.usage,
  async (caller, query) =>
    (await withTenant(
      { tenantId: caller.tenantId! },
      (tx) => customerUsage(tx, caller.tenantId!, query.days),
      { readOnly: true },
    )) ?? problem(404, "not-found", "Not found."),
);
