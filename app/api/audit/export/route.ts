import { openPlatformRead, withTenant } from "@/db/tenant";
import { requestMeta } from "@/lib/audit/request";
import {
  auditCsvChunks,
  releasedAtEnd,
  claimExport,
  EXPORT_STATEMENT_TIMEOUT_MS,
  type BatchReader,
} from "@/lib/audit/export";
import { auditFilterSchema } from "@/lib/audit/schemas";
import { auditAccess } from "@/lib/auth/action";
import { can } from "@/lib/auth/permissions";
import { route } from "@/lib/auth/routes";

export const dynamic = "force-dynamic";

/**
 * The CSV of the filtered audit view: all events for a super-admin, one's own for a customer
 * admin. The access event is committed before the first byte; then one batch is read per pull
 * of the response stream, each in its own short transaction.
 */
export const GET = route(
  {
    permission: ["audit-log.read", "audit-trail.read"],
    action: "audit.export",
    query: auditFilterSchema,
  },
  async (_request, ctx, filter) => {
    const platform = can(ctx.role, "audit-log.read");
    const release = await claimExport(ctx.user.id);
    if (!release) {
      return new Response("An export of yours is still running. Let it finish, then try again.", {
        status: 429,
        headers: { "Retry-After": "10" },
      });
    }
    const timeout = { statementTimeoutMs: EXPORT_STATEMENT_TIMEOUT_MS };
    let read: BatchReader;
    try {
      if (platform) {
        read = await openPlatformRead(
          { userId: ctx.user.id, email: ctx.user.email, platformRole: ctx.platformRole },
          // Exporting one customer's events is on that customer's own trail too.
          {
            action: "audit.export",
            tenantId: filter.customer,
            details: { ...filter },
            meta: await requestMeta(),
          },
          timeout,
        );
      } else {
        await auditAccess(ctx, "audit.export", "ok", { details: { ...filter } });
        const tenantId = ctx.customer!.id;
        read = (fn) => withTenant({ tenantId }, fn, { readOnly: true, ...timeout });
      }
    } catch (error) {
      await release();
      throw error;
    }
    const body = releasedAtEnd(
      auditCsvChunks(read, filter, platform ? undefined : ctx.customer!.id),
      release,
    );
    const stamp = new Date().toISOString().slice(0, 10);
    return new Response(body, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="audit-${platform ? "platform" : ctx.customer!.id}-${stamp}.csv"`,
        "Cache-Control": "no-store",
      },
    });
  },
);
