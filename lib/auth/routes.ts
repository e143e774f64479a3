// The chain for route handlers (app/api/**), beside the action and page chains
// (docs/conventions.md §2): the request context, else 401 → any of the permissions, else a 404
// and a denied event → zod over the query string, else a 400 with the first problem → the
// handler. An error the handler did not expect is logged and answered with a sentence, never a
// stack trace. A route's path parameters join its query string.
import "server-only";
import { z } from "zod";
import { auditAccess } from "./action";
import { getRequestContext, type RequestContext } from "./context";
import { can, type Permission } from "./permissions";

export interface RouteSpec<S extends z.ZodType> {
  /** The role needs one of these. */
  permission: Permission | Permission[];
  /** The audit action a refusal is recorded under (the handler audits what it does). */
  action: string;
  query: S;
}

function answer(status: number, message: string): Response {
  return new Response(message, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

export function route<S extends z.ZodType>(
  spec: RouteSpec<S>,
  handler: (request: Request, ctx: RequestContext, query: z.infer<S>) => Promise<Response>,
): (
  request: Request,
  context?: { params?: Promise<Record<string, string | string[]>> },
) => Promise<Response> {
  return async (request, context) => {
    const ctx = await getRequestContext();
    if (!ctx) return answer(401, "Sign in first.");
    if (![spec.permission].flat().some((permission) => can(ctx.role, permission))) {
      await auditAccess(ctx, spec.action, "denied", { details: { reason: "permission" } });
      return answer(404, "Not found.");
    }
    // The path's parameters (e.g. [id]) are parsed with the query string, by the same schema.
    const parsed = spec.query.safeParse({
      ...Object.fromEntries(new URL(request.url).searchParams),
      ...(await context?.params),
    });
    if (!parsed.success) return answer(400, `Bad request: ${parsed.error.issues[0].message}`);
    try {
      return await handler(request, ctx, parsed.data);
    } catch (error) {
      console.error(`${spec.action} failed:`, error);
      return answer(500, "Something went wrong; try again.");
    }
  };
}
