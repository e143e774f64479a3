import { getAdoptionRun } from "@/lib/adoption/queries";
import { ENDPOINTS } from "@/lib/api/endpoints";
import { apiRoute, platformRead } from "@/lib/api/route";

export const dynamic = "force-dynamic";

/** One adoption run (adopt, revert or verify) with its steps. Super-admins and platform tokens. */
export const GET = apiRoute(ENDPOINTS.adoption, (caller, query) =>
  platformRead(
    caller,
    { action: "adoption.read", targetType: "adoption_run", targetId: query.id },
    (tx) => getAdoptionRun(tx, query.id),
  ),
);
