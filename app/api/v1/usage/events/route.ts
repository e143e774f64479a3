import { withTenant } from "@/db/tenant";
import { recordEvents } from "@/lib/api/queries";
import { apiRoute, auditApiWrite } from "@/lib/api/route";
import { ENDPOINTS } from "@/lib/api/endpoints";

export const dynamic = "force-dynamic";

/** Metered events, up to 1 000 a batch, each counted once by its ID; audited per batch. */
export const POST = apiRoute(ENDPOINTS.usageEvents, (caller, body) =>
  withTenant({ tenantId: caller.tenantId! }, async (tx) => {
    const result = await recordEvents(
      tx,
      caller.kind === "key" ? caller.key.id : null,
      body.events,
    );
    await auditApiWrite(tx, caller, { action: "api.usage.events", details: result });
    return result;
  }),
);
