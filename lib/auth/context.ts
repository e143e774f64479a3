// The request context (docs/architecture.md §1): identity from the next-auth JWT; role, customer
// and membership re-read from the database once per request, so a removed membership or a
// suspended customer stops at the next request, not at token expiry.
import "server-only";
import { getServerSession } from "next-auth";
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
  const session = await getServerSession(authOptions);
  const userId = session?.user?.id;
  const sessionId = session?.sessionId;
  if (!userId || !UUID.test(userId) || !sessionId || !UUID.test(sessionId)) return null;
  return resolveContext(userId, { sessionId });
});
