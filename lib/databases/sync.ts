// Making the data plane on a registered database from the primary's catalog (docs/architecture.md
// §13): the target gets the migrations (the roles, and the control schema, which stays empty
// there: the control plane lives on the primary only), then every object of the data plane it
// lacks, by name, in dependency order, in one transaction. An object it has under the same name
// but another definition is named as drift and left alone; a construct sync cannot make stops it
// before anything is written.
import "server-only";
import { withOwnerClient } from "@/db/owner";
import { runMigrations } from "@/db/migrate";
import { ensurePlacementGuards } from "../placement/guards";
import { ensureRowCounters } from "../usage/counters";
import { planWith, SyncError, type SyncPlan } from "./plan";

export { planSync, SyncError, type SyncPlan } from "./plan";

/**
 * Brings the target's data plane up to the primary's: migrations, then what it lacks. The
 * app's login there gets `appPassword` when one is given. Returns the plan it carried out;
 * afterwards the target lacks nothing (checked again).
 */
export async function syncDatabase(
  sourceUrl: string,
  targetUrl: string,
  options: { appPassword?: string } = {},
): Promise<SyncPlan> {
  await runMigrations(targetUrl, { appPassword: options.appPassword });
  return withOwnerClient(sourceUrl, (source) =>
    withOwnerClient(targetUrl, async (target) => {
      const plan = await planWith(source, target);
      if (plan.problems.length)
        throw new SyncError(`Sync cannot make: ${plan.problems.join(" ")} Nothing was written.`);
      await target.query("begin");
      try {
        // A function's body is read when it runs, not when it is made before the tables it reads.
        await target.query("set local check_function_bodies = off");
        for (const o of plan.create) {
          try {
            await target.query(o.sql);
          } catch (error) {
            throw new SyncError(
              `Making ${o.key} failed (${(error as Error).message}): ${o.sql}. Nothing was written.`,
            );
          }
        }
        await target.query("commit");
      } catch (error) {
        await target.query("rollback").catch(() => undefined);
        throw error;
      }
      // Every customer table there carries the placement guard, as moves expect, and the row
      // counters, as the usage snapshot expects.
      await ensurePlacementGuards(target);
      await ensureRowCounters(target);
      const after = await planWith(source, target);
      if (after.create.length)
        throw new SyncError(
          `After sync the target still lacks ${after.create.map((o) => o.key).join(", ")}.`,
        );
      return plan;
    }),
  );
}
