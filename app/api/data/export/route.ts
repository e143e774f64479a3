import { ownerDatabaseUrl } from "@/db/env";
import { claimExport } from "@/lib/audit/export";
import { auditAccess } from "@/lib/auth/action";
import { can } from "@/lib/auth/permissions";
import { route } from "@/lib/auth/routes";
import { archiveResponse } from "@/lib/portability/download";
import { dataExportQuerySchema } from "@/lib/portability/schemas";

export const dynamic = "force-dynamic";

/**
 * A customer's data as an archive: any customer's (?customer=ID) for a super-admin, one's own
 * for a customer admin — another customer's ID from one is a 404, recorded as denied. Audited
 * before the first byte; one export at a time per user.
 */
export const GET = route(
  {
    permission: ["data.export-any", "data.export-own"],
    action: "data.export",
    query: dataExportQuerySchema,
  },
  async (_request, ctx, query) => {
    const any = can(ctx.role, "data.export-any");
    const customer = any ? query.customer : ctx.customer?.id;
    if (!customer || (!any && query.customer && query.customer !== customer)) {
      await auditAccess(ctx, "data.export", "denied", {
        targetType: "customer",
        targetId: query.customer,
        details: { reason: any ? "no customer" : "another customer" },
      });
      return new Response("Not found.", { status: 404 });
    }
    const ownerUrl = ownerDatabaseUrl();
    if (!ownerUrl)
      return new Response(
        "Exports read as the database's owner: set DATABASE_URL to the owner's connection and restart the console.",
        { status: 503 },
      );
    const release = await claimExport(ctx.user.id);
    if (!release)
      return new Response("An export of yours is still running. Let it finish, then try again.", {
        status: 429,
        headers: { "Retry-After": "10" },
      });
    return archiveResponse(
      ownerUrl,
      customer,
      ctx.user.email,
      () =>
        auditAccess(ctx, "data.export", "ok", {
          tenantId: customer,
          targetType: "customer",
          targetId: customer,
        }),
      release,
    );
  },
);
