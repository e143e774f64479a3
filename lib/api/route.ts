// The chain of the platform API (docs/conventions.md §2, docs/architecture.md §14), for every
// route under /api/v1: authenticate — an API key (`Authorization: Bearer tnt_…`) or the
// console's session — → the permission (a key's scope, or the role in the permissions table)
// → the rate limit and the month's calls (lib/api/limits.ts) → zod over the input (the query
// string with the path's parameters, or the JSON body) → the handler, which goes through the
// tenant door and audits its writes. Every refusal is a problem document (RFC 9457); a denied
// attempt is audited; an error the handler did not expect is logged and answered with a sentence.
import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { customers } from "@/db/schema";
import { isReadOnly, readOnlyMessage } from "@/lib/customers/lifecycle";
import {
  withPlatform,
  withTenant,
  type PlatformAccess,
  type PlatformContext,
  type Tx,
} from "@/db/tenant";
import { insertAuditEvent } from "@/lib/audit/record";
import { requestMeta } from "@/lib/audit/request";
import { auditAccess, platformContext } from "@/lib/auth/action";
import { getRequestContext, type RequestContext } from "@/lib/auth/context";
import { can, keyCan, SCOPE_GRANTS, type Permission } from "@/lib/auth/permissions";
import { authenticateKey, type KeyPrincipal } from "./keys";
import { takeCall, type Allowance } from "./limits";
import { problem } from "./problem";

export interface ApiSpec<S extends z.ZodType> {
  permission: Permission;
  /** The audit action of the endpoint (a refusal is recorded under it). */
  action: string;
  /** GET: the query string with the path's parameters; POST: the JSON body. */
  input: S;
  method: "GET" | "POST";
}

/** Who is calling: a key, or a signed-in console user; and the customer the call acts as. */
export type ApiCaller =
  | { kind: "key"; key: KeyPrincipal; tenantId: string | null }
  | { kind: "session"; ctx: RequestContext; tenantId: string | null };

const KEY_REFUSALS = {
  malformed: "That is not a Tenantry API key: it reads tnt_…_… .",
  unknown: "No such API key.",
  revoked: "This API key was revoked.",
  expired: "This API key has expired.",
  "customer-inactive": "This API key's customer may not use the API now.",
} as const;

/** The caller, or the problem that stops it. */
async function authenticate(request: Request): Promise<ApiCaller | Response> {
  const authorization = request.headers.get("authorization");
  if (authorization) {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    const check = token
      ? await authenticateKey(token)
      : ({ ok: false, reason: "malformed" } as const);
    if (!check.ok)
      return problem(401, "unauthorized", KEY_REFUSALS[check.reason], {
        headers: { "WWW-Authenticate": 'Bearer realm="tenantry"' },
      });
    return { kind: "key", key: check.key, tenantId: check.key.tenantId };
  }
  const ctx = await getRequestContext();
  if (!ctx)
    return problem(
      401,
      "unauthorized",
      "Send an API key (Authorization: Bearer tnt_…), or sign in.",
      {
        headers: { "WWW-Authenticate": 'Bearer realm="tenantry"' },
      },
    );
  return { kind: "session", ctx, tenantId: ctx.customer?.id ?? null };
}

/** The key's audit identity: no user, its prefix as the actor. */
const keyActor = (key: KeyPrincipal) => ({
  actorUserId: null,
  actorEmail: null,
  actorRole: key.tenantId ? "api_key" : "platform_token",
  details: { key: key.prefix },
});

/** The sentence refusing a write of a customer that may only read (an expired trial), or null. */
async function readOnlyCustomer(caller: ApiCaller): Promise<string | null> {
  const customer =
    caller.kind === "session"
      ? caller.ctx.customer
      : await withTenant(
          { tenantId: caller.tenantId! },
          async (tx) =>
            (
              await tx
                .select({
                  name: customers.name,
                  status: customers.status,
                  trialEndsAt: customers.trialEndsAt,
                })
                .from(customers)
                .where(eq(customers.id, caller.tenantId!))
            )[0],
          { readOnly: true },
        );
  return customer && isReadOnly(customer) ? readOnlyMessage(customer) : null;
}

/** The platform door's context of a super-admin's session or of a platform token. */
export function platformCaller(caller: ApiCaller): PlatformContext {
  return caller.kind === "session"
    ? platformContext(caller.ctx)
    : { userId: null, email: null, platformRole: "super_admin", actorRole: "platform_token" };
}

/** Records a refused call: in the caller's own customer's trail, or the platform's. */
async function auditDenied(caller: ApiCaller, action: string, reason: string) {
  if (caller.kind === "session")
    return auditAccess(caller.ctx, action, "denied", { details: { reason } });
  const details = { key: caller.key.prefix, reason };
  if (caller.tenantId)
    await withTenant({ tenantId: caller.tenantId }, (tx) =>
      insertAuditEvent(tx, {
        ...keyActor(caller.key),
        tenantId: caller.tenantId,
        action,
        outcome: "denied",
        details,
      }),
    );
  else
    await withPlatform(
      platformCaller(caller),
      { action, outcome: "denied", details, meta: await requestMeta() },
      async () => undefined,
    );
}

/**
 * A read on the platform door for the status API (a super-admin's session or a platform
 * token), audited as `access.action`; a 404 problem when there is nothing.
 */
export async function platformRead(
  caller: ApiCaller,
  access: Omit<PlatformAccess, "meta">,
  load: (tx: Tx) => Promise<unknown>,
): Promise<Response | object> {
  const data = await withPlatform(
    platformCaller(caller),
    {
      ...access,
      meta: await requestMeta(),
      details: {
        ...access.details,
        ...(caller.kind === "key" ? { key: caller.key.prefix } : {}),
      },
    },
    load,
  );
  if (data === null || data === undefined) return problem(404, "not-found", "Not found.");
  return data as object;
}

function rateHeaders(allowance: Exclude<Allowance, { reason: "key" }>): Record<string, string> {
  if (allowance.ok)
    return {
      "RateLimit-Limit": String(allowance.limit),
      "RateLimit-Remaining": String(allowance.remaining),
      "RateLimit-Reset": String(allowance.resetSeconds),
    };
  return {
    "Retry-After": String(allowance.retryAfterSeconds),
    ...(allowance.reason === "rate"
      ? {
          "RateLimit-Limit": String(allowance.limit),
          "RateLimit-Remaining": "0",
          "RateLimit-Reset": String(allowance.retryAfterSeconds),
        }
      : {}),
  };
}

async function readInput(
  request: Request,
  method: "GET" | "POST",
  params: Record<string, string | string[]> | undefined,
): Promise<unknown> {
  if (method === "GET")
    return { ...Object.fromEntries(new URL(request.url).searchParams), ...params };
  const text = await request.text();
  if (text.length > 2 ** 20) throw new SyntaxError("The body is over 1 MB.");
  return JSON.parse(text);
}

export function apiRoute<S extends z.ZodType>(
  spec: ApiSpec<S>,
  handler: (caller: ApiCaller, input: z.infer<S>) => Promise<Response | object>,
): (
  request: Request,
  context?: { params?: Promise<Record<string, string | string[]>> },
) => Promise<Response> {
  return async (request, context) => {
    try {
      const caller = await authenticate(request);
      if (caller instanceof Response) return caller;
      // Every call is counted and limited before anything else is looked at: from this
      // instance's lease, or by the statement that takes the next one, which also asks whether
      // the key is still live (lib/api/limits.ts).
      const allowance = await takeCall(
        caller.tenantId,
        caller.kind === "key" ? `key:${caller.key.id}` : `user:${caller.ctx.user.id}`,
        { keyId: caller.kind === "key" ? caller.key.id : undefined },
      );
      if (!allowance.ok && allowance.reason === "key")
        return problem(401, "unauthorized", KEY_REFUSALS[allowance.refused], {
          headers: { "WWW-Authenticate": 'Bearer realm="tenantry"' },
        });
      const headers = rateHeaders(allowance);
      if (!allowance.ok)
        return allowance.reason === "rate"
          ? problem(
              429,
              "rate-limited",
              `At most ${allowance.limit} calls a minute on this plan: try again in ${allowance.retryAfterSeconds} s.`,
              { headers },
            )
          : problem(
              429,
              "quota-exceeded",
              `This month's ${allowance.limit.toLocaleString("en")} API calls (with the plan's margin) are used up; calls resume next month, or with a larger plan.`,
              { headers },
            );
      const allowed =
        caller.kind === "key"
          ? keyCan(caller.key.scopes, spec.permission)
          : can(caller.ctx.role, spec.permission);
      if (!allowed) {
        await auditDenied(caller, spec.action, "permission");
        // A customer's key without the scope learns which; anything else is not there for it.
        const scope = SCOPE_GRANTS[spec.permission];
        if (caller.kind === "key" && caller.tenantId && scope && scope !== "platform:read")
          return problem(403, "forbidden", `This API key lacks the ${scope} scope.`);
        return problem(404, "not-found", "Not found.");
      }
      if (
        spec.method !== "GET" &&
        caller.kind === "session" &&
        caller.ctx.activeSwitch?.mode === "read"
      )
        return problem(403, "forbidden", "This switch is read-only: it changes nothing.");
      if (spec.method !== "GET" && caller.tenantId) {
        const readOnly = await readOnlyCustomer(caller);
        if (readOnly) return problem(403, "forbidden", readOnly, { headers });
      }
      let raw: unknown;
      try {
        raw = await readInput(request, spec.method, await context?.params);
      } catch (error) {
        return problem(400, "bad-request", `The body is not JSON: ${(error as Error).message}`, {
          headers,
        });
      }
      const parsed = spec.input.safeParse(raw);
      if (!parsed.success)
        return problem(400, "bad-request", parsed.error.issues[0].message, {
          headers,
          errors: parsed.error.issues.slice(0, 20).map((i) => ({
            path: i.path.join("."),
            message: i.message,
          })),
        });
      const result = await handler(caller, parsed.data);
      const response =
        result instanceof Response
          ? result
          : Response.json(result, { headers: { "Cache-Control": "no-store" } });
      for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
      return response;
    } catch (error) {
      console.error(`${spec.action} failed:`, error);
      return problem(500, "server-error", "Something went wrong; try again.");
    }
  };
}

/** The audit event of a write through the API, for the caller, in the handler's transaction. */
export async function auditApiWrite(
  tx: Tx,
  caller: ApiCaller,
  event: {
    action: string;
    targetType?: string;
    targetId?: string;
    details?: Record<string, unknown>;
  },
) {
  const { action, ...record } = event;
  if (caller.kind === "session") return auditAccess(caller.ctx, action, "ok", record, tx);
  const actor = keyActor(caller.key);
  await insertAuditEvent(tx, {
    ...actor,
    ...(await requestMeta()),
    tenantId: caller.tenantId,
    action,
    outcome: "ok",
    targetType: record.targetType,
    targetId: record.targetId,
    details: { ...actor.details, ...record.details },
  });
}
