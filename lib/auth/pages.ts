// The chain for pages, beside the action chain (docs/conventions.md §2): the request context or
// sign-in → the permission, else a 404 (never a hint that the page exists) with a denied event →
// one audit name with the request's metadata → the page's reads in one read-only transaction of
// the right door → a 404 when what the page shows is not there.
import "server-only";
import { notFound, redirect } from "next/navigation";
import { openPlatformRead, withSystem, withTenant, type Tx } from "@/db/tenant";
import { requestMeta } from "@/lib/audit/request";
import { auditAccess, ownAccount, type ActionAudit } from "./action";
import { getRequestContext, type RequestContext, type TenantRequestContext } from "./context";
import { can, type Permission } from "./permissions";

export interface PageSpec extends ActionAudit {
  permission: Permission;
  /** The audit action of viewing the page, e.g. `customers.list`. */
  action: string;
}

/**
 * The context of a page the role may see; sign-in for a visitor, a 404 and a denied event for a
 * role that may not. Under a switch the view itself is audited, for the customer to see.
 */
async function requirePage(
  permission: Permission,
  attempt: { action: string } & ActionAudit,
): Promise<RequestContext> {
  const ctx = await getRequestContext();
  if (!ctx) redirect("/sign-in");
  enrolFirst(ctx);
  const { action, ...record } = attempt;
  if (!can(ctx.role, permission)) {
    await auditAccess(ctx, action, "denied", {
      ...record,
      details: { ...record.details, reason: "permission" },
    });
    notFound();
  }
  if (ctx.activeSwitch)
    await auditAccess(ctx, action, "ok", { ...record, details: { ...record.details, view: true } });
  return ctx;
}

/** A user who must have a second factor and has none yet sees one page: setting it up. */
function enrolFirst(ctx: RequestContext) {
  if (ctx.role === "enrolling") redirect("/account");
}

/**
 * A page of the signed-in user's own customer (or the one a super-admin switched into): its reads
 * in one read-only transaction through withTenant; `load` answering null is a 404.
 */
export async function tenantPage<T>(
  spec: PageSpec,
  load: (tx: Tx, ctx: TenantRequestContext) => Promise<T | null | undefined>,
): Promise<{ ctx: TenantRequestContext; data: T }> {
  const { permission, ...attempt } = spec;
  const ctx = await requirePage(permission, attempt);
  if (!ctx.customer) notFound();
  const tenantCtx = ctx as TenantRequestContext;
  const data = await withTenant({ tenantId: tenantCtx.customer.id }, (tx) => load(tx, tenantCtx), {
    readOnly: true,
  });
  if (data === null || data === undefined) {
    // Unknown, or another customer's: a 404, on the record as a denied attempt.
    const { action, ...record } = attempt;
    await auditAccess(ctx, action, "denied", {
      ...record,
      details: { ...record.details, reason: "not found" },
    });
    notFound();
  }
  return { ctx: tenantCtx, data };
}

/**
 * A super-admin's page across customers: the access event (with the request's metadata) is
 * committed first, then the reads run in one read-only platform transaction; `load` answering
 * null is a 404. `elseRedirect` sends a role without the permission there instead of a 404 (the
 * overview at `/`, which is every user's landing page).
 */
export async function platformPage<T>(
  spec: PageSpec & { elseRedirect?: string },
  load: (tx: Tx, ctx: RequestContext) => Promise<T | null | undefined>,
): Promise<{ ctx: RequestContext; data: T }> {
  const { permission, action, elseRedirect, ...record } = spec;
  if (elseRedirect) {
    const ctx = await getRequestContext();
    if (ctx) enrolFirst(ctx);
    if (ctx && !can(ctx.role, permission)) redirect(elseRedirect);
  }
  const ctx = await requirePage(permission, { action, ...record });
  const read = await openPlatformRead(
    { userId: ctx.user.id, email: ctx.user.email, platformRole: ctx.platformRole },
    { action, ...record, meta: await requestMeta() },
  );
  const data = await read((tx) => load(tx, ctx));
  if (data === null || data === undefined) notFound();
  return { ctx, data };
}

/**
 * The signed-in user's own account page, for every role (an enrolling one too): its reads in one
 * read-only transaction of the system door (second factors are its alone), as the user themselves.
 */
export async function accountPage<T>(
  load: (tx: Tx, ctx: RequestContext) => Promise<T>,
): Promise<{ ctx: RequestContext; data: T }> {
  const ctx = await getRequestContext();
  if (!ctx) redirect("/sign-in");
  const own = ownAccount(ctx);
  const data = await withSystem("account", (tx) => load(tx, own), { readOnly: true });
  return { ctx: own, data };
}
