import { apiRoute, platformRead } from "@/lib/api/route";
import { listMovesPage } from "@/lib/placement/queries";
import { ENDPOINTS } from "@/lib/api/endpoints";

export const dynamic = "force-dynamic";

/**
 * Moves, newest first (?customer=ID, ?limit=N, ?cursor=the previous page's `next`), for
 * operations tooling: super-admins and platform tokens.
 */
export const GET = apiRoute(ENDPOINTS.moves, (caller, query) =>
  platformRead(caller, { action: "moves.list", tenantId: query.customer }, async (tx) => {
    const page = await listMovesPage(tx, {
      cursor: query.cursor,
      customer: query.customer,
      size: query.limit,
    });
    return { moves: page.rows, next: page.next?.cursor ?? null };
  }),
);
