// The one chain every server action goes through (STYLE §2): authenticate → resolve context →
// check permission → zod-parse input → run in the customer's transaction → audit → a result
// the form can show. The customer is the context's, never the form's.
import "server-only";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { auditEvents } from "@/db/schema";
import { withPlatform, withTenant, type Tx } from "@/db/tenant";
import { requestMeta } from "@/lib/audit/request";
import { getRequestContext, type RequestContext } from "./context";
import { can, type Permission } from "./permissions";

export type ActionState =
  | { ok: true; message?: string; data?: Record<string, string> }
  | { ok: false; error: string; fieldErrors?: Record<string, string[] | undefined> }
  | null;

/** An ID that is unknown or another customer's: answered as "not found" and audited as denied. */
export class NotFoundError extends Error {}
/** A refusal with a sentence for the user (e.g. a duplicate); audited as failed. */
export class ActionError extends Error {}

export interface ActionAudit {
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

export type TenantActionContext = RequestContext & { customer: NonNullable<RequestContext["customer"]> };

interface Spec<S extends z.ZodType> {
  /** The audit action, e.g. `invites.create`. */
  name: string;
  permission: Permission;
  schema: S;
  /** The page whose data the action changes, re-rendered after it commits. */
  revalidate?: string;
}

const NOT_FOUND = "Not found. It may have been removed, or it is not yours to change.";

async function audit(ctx: RequestContext, action: string, outcome: "ok" | "denied" | "failed", record: ActionAudit, tx?: Tx) {
  const meta = await requestMeta();
  const event = {
    actorUserId: ctx.user.id,
    actorEmail: ctx.user.email,
    actorRole: ctx.role,
    tenantId: ctx.customer?.id ?? null,
    action,
    outcome,
    targetType: record.targetType,
    targetId: record.targetId,
    details: record.details ?? {},
    ...meta,
  };
  if (tx) return void (await tx.insert(auditEvents).values(event));
  if (ctx.customer) return void (await withTenant({ tenantId: ctx.customer.id }, (t) => t.insert(auditEvents).values(event)));
  await withPlatform(
    { userId: ctx.user.id, email: ctx.user.email, platformRole: ctx.platformRole },
    { action, outcome, targetType: record.targetType, targetId: record.targetId, details: record.details },
    async () => undefined,
  );
}

/** A server action on the signed-in user's own customer, for useActionState. */
export function tenantAction<S extends z.ZodType>(
  spec: Spec<S>,
  handler: (tx: Tx, input: z.infer<S>, ctx: TenantActionContext, record: ActionAudit) => Promise<ActionState | void>,
) {
  return async (_previous: ActionState, formData: FormData): Promise<ActionState> => {
    const ctx = await getRequestContext();
    if (!ctx) return { ok: false, error: "Your session has ended. Sign in again." };
    const record: ActionAudit = {};
    if (!can(ctx.role, spec.permission) || !ctx.customer) {
      await audit(ctx, spec.name, "denied", { details: { reason: "permission" } });
      return { ok: false, error: NOT_FOUND };
    }
    const parsed = spec.schema.safeParse(Object.fromEntries(formData.entries()));
    if (!parsed.success) {
      return { ok: false, error: "Check the highlighted fields.", fieldErrors: z.flattenError(parsed.error).fieldErrors };
    }
    const tenantCtx = ctx as TenantActionContext;
    try {
      const result = await withTenant({ tenantId: tenantCtx.customer.id }, async (tx): Promise<ActionState> => {
        const result = await handler(tx, parsed.data, tenantCtx, record);
        await audit(ctx, spec.name, "ok", record, tx);
        return result ?? { ok: true as const };
      });
      if (spec.revalidate) revalidatePath(spec.revalidate);
      return result;
    } catch (error) {
      if (error instanceof NotFoundError) {
        await audit(ctx, spec.name, "denied", { ...record, details: { ...record.details, reason: "not found" } });
        return { ok: false, error: NOT_FOUND };
      }
      if (error instanceof ActionError) {
        await audit(ctx, spec.name, "failed", { ...record, details: { ...record.details, reason: error.message } });
        return { ok: false, error: error.message };
      }
      console.error(`action ${spec.name} failed:`, error);
      await audit(ctx, spec.name, "failed", record).catch(() => undefined);
      return { ok: false, error: "Something went wrong; nothing was changed. Try again." };
    }
  };
}
