import { notFound } from "next/navigation";
import { withPlatform, withTenant } from "@/db/tenant";
import { requestMeta } from "@/lib/audit/request";
import { exportAuditCsv } from "@/lib/audit/export";
import { auditFilterSchema } from "@/lib/audit/schemas";
import { auditAccess } from "@/lib/auth/action";
import { getRequestContext } from "@/lib/auth/context";
import { can } from "@/lib/auth/permissions";

export const dynamic = "force-dynamic";

/** The CSV of the filtered audit view: all events for a super-admin, one's own for a customer admin. */
export async function GET(request: Request) {
  const ctx = await getRequestContext();
  if (!ctx) return new Response("Sign in first.", { status: 401 });
  const filter = auditFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const platform = can(ctx.role, "audit.platform");
  if (!platform && !(can(ctx.role, "audit.own") && ctx.customer)) {
    await auditAccess(ctx, "audit.export", "denied", { details: { reason: "permission" } });
    notFound();
  }
  const encoder = new TextEncoder();
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const write = async (chunk: string) => {
    await writer.ready;
    await writer.write(encoder.encode(chunk));
  };
  const meta = await requestMeta();
  const work = platform
    ? withPlatform(
        { userId: ctx.user.id, email: ctx.user.email, platformRole: ctx.platformRole },
        { action: "audit.export", details: { ...filter }, meta },
        (tx) => exportAuditCsv(tx, filter, undefined, write),
      )
    : (async () => {
        await auditAccess(ctx, "audit.export", "ok", { details: { ...filter } });
        return withTenant({ tenantId: ctx.customer!.id }, (tx) => exportAuditCsv(tx, filter, ctx.customer!.id, write), { readOnly: true });
      })();
  work.then(
    () => writer.close(),
    (error: Error) => {
      console.error("audit export failed:", error);
      writer.abort(error).catch(() => undefined);
    },
  );
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(readable, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-${platform ? "platform" : ctx.customer!.id}-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
