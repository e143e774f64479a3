// The one chain every server action goes through (docs/conventions.md §2): authenticate → resolve context →
// check permission → zod-parse input → run in one transaction with its audit event → a result
// the form can show. Tenant actions act on the context's customer, never on one named by the
// form; platform actions are for super-admins and audited through withPlatform.
import "server-only";
import { isReadOnly, readOnlyMessage } from "@/lib/customers/lifecycle";
import { ownerDatabaseUrl } from "@/db/env";
import { revalidatePath } from "next/cache";
import { after } from "next/server";
import { z } from "zod";
import { withPlatform, withSystem, withTenant, type Tx } from "@/db/tenant";
import { insertAuditEvent } from "@/lib/audit/record";
import { requestMeta } from "@/lib/audit/request";
import { getRequestContext, type RequestContext, type TenantRequestContext } from "./context";
import { formField, parseForm } from "./form";
import { can, type Permission } from "./permissions";

export type ActionState =
  | { ok: true; message?: string; data?: Record<string, string> }
  | { ok: false; error: string; fieldErrors?: Record<string, string[] | undefined> }
  | null;

/** An ID that is unknown or another customer's: answered as "not found" and audited as denied. */
export class NotFoundError extends Error {}
/** A refusal with a sentence for the user (a duplicate, a stale edit); audited as failed. */
export class ActionError extends Error {}

/** What the audit event says beyond who and which action; handlers fill it in. */
export interface ActionAudit {
  tenantId?: string;
  actingAs?: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

interface Spec<S extends z.ZodType> {
  /** The audit action, e.g. `invites.create`. */
  name: string;
  permission: Permission;
  schema: S;
  /** The pages whose data the action changes (this path and below), re-rendered after it commits. */
  revalidate?: string;
  /** False for the few actions a read-only switch may still take (leaving it). Default true. */
  writes?: boolean;
}

export const NOT_FOUND = "Not found. It may have been removed, or it is not yours to change.";
/** The answer to a failure nobody foresaw: the server logged it; the user may try again. */
export const SOMETHING_WENT_WRONG = "Something went wrong; nothing was changed. Try again.";

/** Writes an audit event for the context's user: in `tx` when given, else in its own transaction. */
export async function auditAccess(
  ctx: RequestContext,
  action: string,
  outcome: "ok" | "denied" | "failed",
  record: ActionAudit,
  tx?: Tx,
) {
  const meta = await requestMeta();
  const event = {
    actorUserId: ctx.user.id,
    actorEmail: ctx.user.email,
    // The real actor: a switched super-admin is recorded as the super-admin, with the switch.
    actorRole: ctx.platformRole ?? ctx.role,
    actingAs: record.actingAs ?? ctx.activeSwitch?.id ?? null,
    tenantId: record.tenantId ?? ctx.customer?.id ?? null,
    action,
    outcome,
    targetType: record.targetType,
    targetId: record.targetId,
    details: record.details ?? {},
    ...meta,
  };
  if (tx) return insertAuditEvent(tx, event);
  if (ctx.customer) {
    // Recorded in the actor's own customer, whatever they tried to reach.
    return withTenant({ tenantId: ctx.customer.id }, (t) =>
      insertAuditEvent(t, { ...event, tenantId: ctx.customer!.id }),
    );
  }
  await withPlatform(
    platformContext(ctx),
    { action, outcome, ...record, meta },
    async () => undefined,
  );
}

/** The platform door's context of a super-admin's request. */
export function platformContext(ctx: RequestContext) {
  return { userId: ctx.user.id, email: ctx.user.email, platformRole: ctx.platformRole };
}

/** A server action as the chain made it, for the forms that call it. */
export type ChainedAction = (previous: ActionState, formData: FormData) => Promise<ActionState>;

const specs = new WeakMap<ChainedAction, Spec<z.ZodType>>();

/**
 * What a chained action declares — its audit name, permission and input schema — so the tests can
 * reach every action from the code (lib/test/entry-points.ts); undefined for a public action.
 */
export function specOf(action: unknown): Readonly<Spec<z.ZodType>> | undefined {
  return specs.get(action as ChainedAction);
}

/** The chain itself; `run` does the work in a transaction and writes the ok event in it. */
function chain<S extends z.ZodType>(
  spec: Spec<S>,
  allowed: (ctx: RequestContext) => boolean,
  run: (ctx: RequestContext, input: z.infer<S>, record: ActionAudit) => Promise<ActionState>,
): ChainedAction {
  const action: ChainedAction = async (_previous, formData) => {
    const ctx = await getRequestContext();
    if (!ctx) return { ok: false, error: "Your session has ended. Sign in again." };
    if (!can(ctx.role, spec.permission) || !allowed(ctx)) {
      await auditAccess(ctx, spec.name, "denied", {
        targetId: formField(formData, "id"),
        details: { reason: "permission" },
      });
      return { ok: false, error: NOT_FOUND };
    }
    if (ctx.activeSwitch?.mode === "read" && spec.writes !== false) {
      await auditAccess(ctx, spec.name, "denied", {
        targetId: formField(formData, "id"),
        details: { reason: "read-only switch" },
      });
      return {
        ok: false,
        error:
          "You switched in read-only mode: nothing can be changed. Exit and switch again in write mode to make changes.",
      };
    }
    const parsed = parseForm(spec.schema, formData);
    if (!parsed.ok) return parsed;
    const record: ActionAudit = {};
    try {
      const result = await run(ctx, parsed.data, record);
      // "layout": the path and everything under it, e.g. /customers and /customers/<id>.
      if (spec.revalidate) revalidatePath(spec.revalidate, "layout");
      return result;
    } catch (error) {
      if (error instanceof NotFoundError) {
        await auditAccess(ctx, spec.name, "denied", {
          ...record,
          details: { ...record.details, reason: "not found" },
        });
        return { ok: false, error: NOT_FOUND };
      }
      if (error instanceof ActionError) {
        await auditAccess(ctx, spec.name, "failed", {
          ...record,
          details: { ...record.details, reason: error.message },
        });
        return { ok: false, error: error.message };
      }
      console.error(`action ${spec.name} failed:`, error);
      await auditAccess(ctx, spec.name, "failed", record).catch(() => undefined);
      return { ok: false, error: SOMETHING_WENT_WRONG };
    }
  };
  specs.set(action, spec);
  return action;
}

/** An action's work in its door's transaction, for the context it acts as. */
type TxHandler<S extends z.ZodType, C extends RequestContext = RequestContext> = (
  tx: Tx,
  input: z.infer<S>,
  ctx: C,
  record: ActionAudit,
) => Promise<ActionState | void>;

/** A server action on the signed-in user's own customer, for useActionState. */
export function tenantAction<S extends z.ZodType>(
  spec: Spec<S>,
  handler: TxHandler<S, TenantRequestContext>,
) {
  return chain(
    spec,
    (ctx) => ctx.customer !== null,
    (ctx, input, record) => {
      // An expired trial reads and changes nothing: its own users, and a switch into it.
      if (spec.writes !== false && isReadOnly(ctx.customer!))
        throw new ActionError(readOnlyMessage(ctx.customer!));
      return withTenant({ tenantId: ctx.customer!.id }, async (tx): Promise<ActionState> => {
        const result = await handler(tx, input, ctx as TenantRequestContext, record);
        await auditAccess(ctx, spec.name, "ok", record, tx);
        return result ?? { ok: true as const };
      });
    },
  );
}

/** A super-admin's server action across customers, audited by withPlatform in its transaction. */
export function platformAction<S extends z.ZodType>(spec: Spec<S>, handler: TxHandler<S>) {
  return chain(
    spec,
    (ctx) => ctx.platformRole === "super_admin",
    async (ctx, input, record) =>
      withPlatform(
        platformContext(ctx),
        { action: spec.name, meta: await requestMeta() },
        async (tx, access): Promise<ActionState> => {
          const result = await handler(tx, input, ctx, record);
          Object.assign(access, record);
          return result ?? { ok: true as const };
        },
      ),
  );
}

/**
 * The signed-in user's own account (their second factor, their sessions), whatever their role —
 * an enrolling one too: the system door's transaction (second factors are its alone), the
 * handler given the user's own context (a switched super-admin's account is not the customer's),
 * and the ok event written in it, in the user's own trail, naming the user's account unless the
 * handler names another target.
 */
export function accountAction<S extends z.ZodType>(spec: Spec<S>, handler: TxHandler<S>) {
  return chain(
    { writes: false, ...spec },
    () => true,
    (ctx, input, record) => {
      const own = ownAccount(ctx);
      // The event names the user's account unless the handler names another target.
      Object.assign(record, { targetType: "user", targetId: own.user.id });
      return withSystem("account", async (tx): Promise<ActionState> => {
        const result = await handler(tx, input, own, record);
        await auditAccess(own, spec.name, "ok", record, tx);
        return result ?? { ok: true as const };
      });
    },
  );
}

/** A user as themselves: a switched super-admin's own account belongs to no customer. */
export function ownAccount(ctx: RequestContext): RequestContext {
  return ctx.platformRole ? { ...ctx, customer: null, activeSwitch: null } : ctx;
}

/**
 * The owner's connection (DATABASE_URL), which adoptions, erasures and the like work through;
 * without it, the action refuses with a sentence saying what `work` needs.
 */
export function ownerUrlFor(work: string): string {
  const url = ownerDatabaseUrl();
  if (!url)
    throw new ActionError(
      `${work} works as the database's owner: set DATABASE_URL to the owner's connection string and restart the console.`,
    );
  return url;
}

/**
 * Starts long work that records itself (an adoption run, an erase, a move) and answers as soon
 * as it is recorded — its record's ID — or with its result when it ended before that (refused
 * at its start); it goes on after the response (`after` keeps it alive), and the page that shows
 * its record follows it. An error thrown before it is recorded is this call's error.
 */
export async function startRecorded<T>(
  start: (onStart: (id: string) => void) => Promise<T>,
): Promise<{ id: string } | { result: T }> {
  let started!: (id: string) => void;
  const recorded = new Promise<string>((resolve) => (started = resolve));
  const done = start(started);
  // The work records its own end; nothing is left to report after the response.
  after(() => done.catch(() => undefined));
  return Promise.race([recorded.then((id) => ({ id })), done.then((result) => ({ result }))]);
}

/**
 * A super-admin's operation that cannot run inside the action's transaction because it opens its
 * own (an adoption works as the schema's owner, in transactions of its own). Same chain; the
 * audit event is written after the operation, ok or failed as its result says.
 */
export function platformOperation<S extends z.ZodType>(
  spec: Spec<S>,
  handler: (
    input: z.infer<S>,
    ctx: RequestContext,
    record: ActionAudit,
  ) => Promise<ActionState | void>,
) {
  return chain(
    spec,
    (ctx) => ctx.platformRole === "super_admin",
    async (ctx, input, record) => {
      const result = (await handler(input, ctx, record)) ?? { ok: true as const };
      await auditAccess(ctx, spec.name, result?.ok ? "ok" : "failed", record);
      return result;
    },
  );
}
