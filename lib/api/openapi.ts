// The OpenAPI 3.1 document of the platform API, made from ENDPOINTS and their zod schemas by
// zod-openapi (a maintained library that reads zod 4's own metadata), served at
// /api/v1/openapi.json and rendered at /api-docs.
import { createDocument, type ZodOpenApiPathsObject } from "zod-openapi";
import { z } from "zod";
import { ENDPOINTS, scopeOf, type Endpoint } from "./endpoints";
import { PROBLEM_TYPES } from "./problem";

const problemSchema = z
  .object({
    type: z.string().meta({ description: "/api-docs#problem-<kind>" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: "A sentence saying what to do." }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details." });

const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: {
          400: "The input is not valid: the first problem, and each field's.",
          401: "No key or session, or a key that is unknown, revoked or expired.",
          403: "The key lacks the endpoint's scope.",
          404: "Not found, or not the caller's to see.",
          429: "Over the plan's rate (Retry-After, RateLimit-*) or its monthly API calls.",
        }[status]!,
        content: { "application/problem+json": { schema: problemSchema } },
      },
    ]),
  );

function operation(e: Endpoint) {
  // The path's parameters and the query string are one schema in the route: split here.
  const mask = Object.fromEntries((e.pathParams ?? []).map((p) => [p, true])) as never;
  const path = e.pathParams?.length ? e.input.pick(mask) : undefined;
  const rest = e.pathParams?.length ? e.input.omit(mask) : e.input;
  const scope = scopeOf(e);
  return {
    summary: e.summary,
    description: `${e.description}${scope ? ` Scope: \`${scope}\`.` : ""}`,
    operationId: e.action,
    security: [{ apiKey: scope ? [scope] : [] }, { session: [] }],
    ...(e.method === "GET"
      ? { requestParams: { query: rest, ...(path ? { path } : {}) } }
      : { requestBody: { content: { "application/json": { schema: e.input } } } }),
    responses: {
      "200": { description: "OK", content: { "application/json": { schema: e.response } } },
      ...problems(400, 401, 403, 404, 429),
    },
  };
}

let cached: ReturnType<typeof createDocument> | undefined;

export function openApiDocument() {
  if (cached) return cached;
  const paths: ZodOpenApiPathsObject = {};
  for (const e of Object.values(ENDPOINTS) as Endpoint[])
    paths[e.path] = { ...paths[e.path], [e.method.toLowerCase()]: operation(e) };
  cached = createDocument({
    openapi: "3.1.0",
    info: {
      title: "Tenantry platform API",
      version: "1",
      description: `Per-customer API keys (Authorization: Bearer tnt_…), rate limits by plan, metered usage. Errors are problem documents (RFC 9457): ${Object.entries(
        PROBLEM_TYPES,
      )
        .map(([k, v]) => `${k} (${v})`)
        .join(", ")}.`,
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "An API key: tnt_<prefix>_<secret>.",
        },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
      },
    },
    paths,
  });
  return cached;
}
