import "server-only";
import { notFound, redirect } from "next/navigation";
import { auditAccess, type ActionAudit } from "./action";
import { getRequestContext, type RequestContext } from "./context";
import { can, type Permission } from "./permissions";

/**
 * The start of every console page: the request context, or sign-in; and, when the role may not
 * see the page, a 404 (never a hint that it exists) with a denied event in the audit log.
 */
export async function requirePage(permission: Permission, attempt: { action: string } & ActionAudit): Promise<RequestContext> {
  const ctx = await getRequestContext();
  if (!ctx) redirect("/sign-in");
  if (!can(ctx.role, permission)) {
    const { action, ...record } = attempt;
    await auditAccess(ctx, action, "denied", { ...record, details: { ...record.details, reason: "permission" } });
    notFound();
  }
  return ctx;
}
