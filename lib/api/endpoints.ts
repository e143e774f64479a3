// The platform API's endpoints (docs/architecture.md §14), declared once: each route under
// app/api/v1 takes its spec from here, and the OpenAPI document (lib/api/openapi.ts) is made
// from the same list, with the same zod schemas.
import { z } from "zod";
import type { Permission, Scope } from "@/lib/auth/permissions";
import { SCOPE_GRANTS } from "@/lib/auth/permissions";
import { runIdSchema } from "@/lib/adoption/schemas";
import { moveIdSchema, movesQuerySchema } from "@/lib/placement/schemas";
import {
  customerResponse,
  emptyQuery,
  usageEventsBody,
  usageEventsResponse,
  usageQuery,
  usageResponse,
} from "./schemas";

export interface Endpoint {
  path: string;
  method: "GET" | "POST";
  permission: Permission;
  /** The audit action (a refusal is recorded under it too). */
  action: string;
  /** GET: the query string with the path's parameters; POST: the JSON body. */
  input: z.ZodObject;
  /** The input's fields that are the path's parameters. */
  pathParams?: string[];
  response: z.ZodType;
  summary: string;
  description: string;
}

const statusDocument = z.looseObject({}).meta({ description: "As the console shows it." });

export const ENDPOINTS = {
  customer: {
    path: "/api/v1/customer",
    method: "GET",
    permission: "api.customer.read",
    action: "api.customer.read",
    input: emptyQuery,
    response: customerResponse,
    summary: "The key's customer",
    description: "Its status, plan and limits.",
  },
  usage: {
    path: "/api/v1/usage",
    method: "GET",
    permission: "api.usage.read",
    action: "api.usage.read",
    input: usageQuery,
    response: usageResponse,
    summary: "The key's customer's usage",
    description:
      "The latest figures, a daily trend of rows, this month's API calls against the plan, and the metered events of the month.",
  },
  usageEvents: {
    path: "/api/v1/usage/events",
    method: "POST",
    permission: "api.usage.write",
    action: "api.usage.events",
    input: usageEventsBody,
    response: usageEventsResponse,
    summary: "Send metered events",
    description:
      "Up to 1 000 events a batch. Each is counted once by its id: a batch sent again (a retry) counts nothing twice.",
  },
  moves: {
    path: "/api/v1/moves",
    method: "GET",
    permission: "databases.manage",
    action: "moves.list",
    input: movesQuerySchema,
    response: z.object({ moves: z.array(statusDocument), next: z.string().nullable() }),
    summary: "Moves, newest first",
    description:
      "For operations tooling: super-admins and platform tokens. `next` is the cursor of the following page (null on the last).",
  },
  move: {
    path: "/api/v1/moves/{id}",
    method: "GET",
    permission: "databases.manage",
    action: "moves.read",
    input: moveIdSchema,
    pathParams: ["id"],
    response: statusDocument,
    summary: "One move",
    description: "Its phases, rows per table, freeze and end.",
  },
  adoption: {
    path: "/api/v1/adoptions/{id}",
    method: "GET",
    permission: "adoption.manage",
    action: "adoption.read",
    input: runIdSchema,
    pathParams: ["id"],
    response: statusDocument,
    summary: "One adoption run",
    description: "An adopt, revert or verify run with its steps.",
  },
} as const satisfies Record<string, Endpoint>;

/** The scope an API key needs for an endpoint. */
export const scopeOf = (endpoint: Endpoint): Scope | undefined => SCOPE_GRANTS[endpoint.permission];
