// The request context (docs/architecture.md §1): identity from the next-auth JWT; role, customer
// and membership re-read from the database once per request, so a removed membership or a
// suspended customer stops at the next request, not at token expiry.
import "server-only";
import { getToken } from "next-auth/jwt";
import { headers } from "next/headers";
import { NextRequest } from "next/server";
import { cache } from "react";
import { authOptions } from "./options";
import { resolveContext, type RequestContext } from "./resolve-context";

export type { RequestContext };

/** The context of a request bound to one customer: a member's own, or the one switched into. */
export type TenantRequestContext = RequestContext & {
  customer: NonNullable<RequestContext["customer"]>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The current request's context, cached for the request; null when signed out — and when the
 * session its JWT names has ended, however long the JWT has left.
 */
export const getRequestContext = cache(async (): Promise<RequestContext | null> => {
  const token = await sessionToken();
  const userId = token?.sub;
  const sessionId = typeof token?.sid === "string" ? token.sid : undefined;
  if (!userId || !UUID.test(userId) || !sessionId || !UUID.test(sessionId)) return null;
  return resolveContext(userId, { sessionId });
});

/**
 * The browser session's JWT, decoded, from its cookie alone. Not getServerSession: that also
 * encodes a refreshed cookie for the response, which a server component cannot set — work for
 * nothing on every request (bench:usage).
 */
async function sessionToken() {
  return getToken({
    // The Cookie header alone, so no Authorization header is read as a session either.
    req: new NextRequest("http://console.invalid/", {
      headers: { cookie: (await headers()).get("cookie") ?? "" },
    }),
    secret: authOptions.secret,
    secureCookie: authOptions.useSecureCookies,
  });
}
