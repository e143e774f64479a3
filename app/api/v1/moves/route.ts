import { apiRoute, platformRead } from "@/lib/api/route";
import { listMoves } from "@/lib/placement/queries";
import { ENDPOINTS } from "@/lib/api/endpoints";

export const dynamic = "force-dynamic";

/** Moves, newest first (?customer=ID, ?limit=N), for operations tooling: super-admins and platform tokens. */
export const GET = apiRoute(ENDPOINTS.moves, (caller, query) =>
  platformRead(caller, { action: "moves.list", tenantId: query.customer }, async (tx) => ({
    moves: await listMoves(tx, query),
  })),
);
