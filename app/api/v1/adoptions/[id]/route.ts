import { getAdoptionRun } from "@/lib/adoption/queries";
import { platformJson, route } from "@/lib/auth/routes";
import { runIdSchema } from "@/lib/adoption/schemas";

export const dynamic = "force-dynamic";

/** One adoption run (adopt, revert or verify) with its steps. Super-admins only. */
export const GET = route(
  { permission: "adoption.manage", action: "adoption.read", query: runIdSchema },
  (_request, ctx, query) =>
    platformJson(
      ctx,
      { action: "adoption.read", targetType: "adoption_run", targetId: query.id },
      (tx) => getAdoptionRun(tx, query.id),
    ),
);
