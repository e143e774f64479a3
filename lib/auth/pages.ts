import "server-only";
import { notFound, redirect } from "next/navigation";
import { auditAccess, type ActionAudit } from "./action";
import { getRequestContext, type RequestContext } from "./context";
import { can, type Permission } from "./permissions";

/**
 * The start of every console page: the request context, or sign-in; and, when the role may not
 * see the page, a 404 (never a hint that it exists) with a denied event in the audit log. Under a
 * switch, the view itself is audited.
 */
export async function requirePage(permission: Permission, attempt: { action: string } & ActionAudit): Promise<RequestContext> {
  const ctx = await getRequestContext();
  if (!ctx) redirect("/sign-in");
  const { action, ...record } = attempt;
  if (!can(ctx.role, permission)) {
    await auditAccess(ctx, action, "denied", { ...record, details: { ...record.details, reason: "permission" } });
    notFound();
  }
  // Every page a super-admin views inside a customer is on the record, for the customer to see.
  if (ctx.activeSwitch) await auditAccess(ctx, action, "ok", { ...record, details: { ...record.details, view: true } });
  return ctx;
}
