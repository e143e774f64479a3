// Problem details (RFC 9457): every error of the platform API is a JSON document with a type, a
// title, the status and a sentence — never a stack trace. The types are documented at
// /api-docs (docs/architecture.md §14).
export const PROBLEM_TYPES = {
  unauthorized: "Not authenticated",
  forbidden: "Not allowed",
  "not-found": "Not found",
  "bad-request": "Bad request",
  "rate-limited": "Too many requests",
  "quota-exceeded": "Monthly API calls used up",
  "server-error": "Something went wrong",
} as const;
export type ProblemType = keyof typeof PROBLEM_TYPES;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Each invalid field of a bad request: where, and what is wrong. */
  errors?: { path: string; message: string }[];
}

export function problem(
  status: number,
  type: ProblemType,
  detail: string,
  extra: { errors?: Problem["errors"]; headers?: Record<string, string> } = {},
): Response {
  const body: Problem = {
    type: `/api-docs#problem-${type}`,
    title: PROBLEM_TYPES[type],
    status,
    detail,
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": "application/problem+json",
      "Cache-Control": "no-store",
      ...extra.headers,
    },
  });
}
