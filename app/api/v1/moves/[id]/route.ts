import { apiRoute, platformRead } from "@/lib/api/route";
import { getMove } from "@/lib/placement/queries";
import { ENDPOINTS } from "@/lib/api/endpoints";

export const dynamic = "force-dynamic";

/** One move: its phases, per-table progress, freeze and end. Super-admins and platform tokens. */
export const GET = apiRoute(ENDPOINTS.move, (caller, query) =>
  platformRead(caller, { action: "moves.read", targetType: "move", targetId: query.id }, (tx) =>
    getMove(tx, query.id),
  ),
);
