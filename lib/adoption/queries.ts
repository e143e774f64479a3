// What the migration dashboard reads: the runs of a schema with their steps, the latest
// verification report, the standing adoption, and the catalog the plan is made from. As the
// platform role (it reads control.adoption_* and the catalog, never the data plane's rows).
import "server-only";
import { and, desc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { adoptionRuns, adoptionSteps } from "@/db/schema";
import { withSystem } from "@/db/tenant";
import { ownerDatabaseUrl } from "@/db/env";
import { introspect } from "./introspect";
import { ADOPTION_LOCK, runVerification, standingAdoption } from "./run";
import type { VerifyReport } from "./verify";

export type RunRow = Omit<typeof adoptionRuns.$inferSelect, "beforeCatalog" | "report"> & {
  steps: (typeof adoptionSteps.$inferSelect)[];
  interrupted: boolean;
};

const HISTORY = 20;

export async function readDashboard(schema: string) {
  return withSystem(
    "adoption",
    async (tx) => {
      const runs = await tx
        .select({
          id: adoptionRuns.id,
          schemaName: adoptionRuns.schemaName,
          kind: adoptionRuns.kind,
          status: adoptionRuns.status,
          startedAt: adoptionRuns.startedAt,
          finishedAt: adoptionRuns.finishedAt,
          options: adoptionRuns.options,
          failedStep: adoptionRuns.failedStep,
          error: adoptionRuns.error,
          instructions: adoptionRuns.instructions,
        })
        .from(adoptionRuns)
        .where(eq(adoptionRuns.schemaName, schema))
        .orderBy(desc(adoptionRuns.startedAt))
        .limit(HISTORY);
      const steps = runs.length
        ? await tx.select().from(adoptionSteps).where(inArray(adoptionSteps.runId, runs.map((r) => r.id))).orderBy(adoptionSteps.startedAt, adoptionSteps.id)
        : [];
      // A run marked running while nobody holds the engine's lock was cut off with its process.
      const { rows: lock } = await tx.execute<{ held: boolean }>(sql`
        select exists (select 1 from pg_locks where locktype = 'advisory' and objsubid = 1
                          and objid::text::bigint = (hashtext(${ADOPTION_LOCK})::bigint & 4294967295)) as held`);
      const history: RunRow[] = runs.map((r) => ({
        ...r,
        steps: steps.filter((s) => s.runId === r.id),
        interrupted: r.status === "running" && !lock[0].held,
      }));
      const [latest] = await tx
        .select({ id: adoptionRuns.id, report: adoptionRuns.report })
        .from(adoptionRuns)
        .where(and(eq(adoptionRuns.schemaName, schema), eq(adoptionRuns.status, "succeeded"), isNotNull(adoptionRuns.report)))
        .orderBy(desc(adoptionRuns.finishedAt))
        .limit(1);
      const running = history.find((r) => r.status === "running" && !r.interrupted) ?? null;
      return {
        history,
        running,
        report: (latest?.report as VerifyReport | undefined) ?? null,
        standingAdoption: await standingAdoption(tx, schema),
        // Not while a run holds the tables: pg_get_indexdef waits for their locks.
        tables: running ? [] : await introspect(tx, schema),
        schemas: (
          await tx.execute<{ name: string }>(sql`
            select n.nspname as name from pg_namespace n
             where n.nspname not in ('control', 'drizzle', 'information_schema') and n.nspname not like 'pg\_%'
               and exists (select 1 from pg_class c where c.relnamespace = n.oid and c.relkind in ('r', 'p'))
             order by 1`)
        ).rows.map((r) => r.name),
      };
    },
    { readOnly: true },
  );
}

/**
 * The dashboard's data; on the first view of a schema that was never checked, a verification
 * runs first (as the owner, recorded like any other), so the page opens on a real report.
 */
export async function loadDashboard(schema: string) {
  const data = await readDashboard(schema);
  const ownerUrl = ownerDatabaseUrl();
  if (data.report || data.running || !ownerUrl || !data.schemas.includes(schema)) return { ...data, canRun: ownerUrl !== null };
  await runVerification(ownerUrl, { schema });
  return { ...(await readDashboard(schema)), canRun: true };
}
