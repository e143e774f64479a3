import { platformJson, route } from "@/lib/auth/routes";
import { listMoves } from "@/lib/placement/queries";
import { movesQuerySchema } from "@/lib/placement/schemas";

export const dynamic = "force-dynamic";

/** Moves, newest first (?customer=ID, ?limit=N), for operations tooling. Super-admins only. */
export const GET = route(
  { permission: "databases.manage", action: "moves.list", query: movesQuerySchema },
  (_request, ctx, query) =>
    platformJson(ctx, { action: "moves.list", tenantId: query.customer }, async (tx) => ({
      moves: await listMoves(tx, query),
    })),
);
