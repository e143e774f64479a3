import { platformJson, route } from "@/lib/auth/routes";
import { getMove } from "@/lib/placement/queries";
import { moveIdSchema } from "@/lib/placement/schemas";

export const dynamic = "force-dynamic";

/** One move: its phases, per-table progress, freeze and end. Super-admins only. */
export const GET = route(
  { permission: "databases.manage", action: "moves.read", query: moveIdSchema },
  (_request, ctx, query) =>
    platformJson(ctx, { action: "moves.read", targetType: "move", targetId: query.id }, (tx) =>
      getMove(tx, query.id),
    ),
);
