// What the adoption dashboard reads: the runs of a schema with their steps, the latest
// verification report (with its rows per customer), the standing adoption, and the catalog the
// plan is made from. Through the audited platform door: the page shows per-customer figures.
// Reading never writes anything but that access event: a schema never checked says so, and
// Verify now (an action) checks it.
import "server-only";
import { and, desc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { adoptionRuns, adoptionSteps } from "@/db/schema";
import { customers } from "@/db/schema";
import { withSystem, type Tx } from "@/db/tenant";
import { ownerDatabaseUrl } from "@/db/env";
import { LEGACY_CUSTOMER_ID } from "@/lib/customers/ids";
import { isBlocked } from "@/lib/customers/lifecycle";
import { inOwnerTransaction } from "@/db/owner";
import { introspect, type TableInfo } from "./introspect";
import type { PlanOptions } from "./plan";
import { ADOPTION_LOCK, standingAdoption, withSources } from "./run";
import type { VerifyReport } from "./verify";

export type RunRow = Omit<typeof adoptionRuns.$inferSelect, "beforeCatalog" | "report"> & {
  steps: (typeof adoptionSteps.$inferSelect)[];
  interrupted: boolean;
};

const HISTORY = 20;

/** Everything the dashboard shows of `schema`, in the caller's (platform) transaction. */
export async function readDashboard(tx: Tx, schema: string, column = "tenant_id") {
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
    ? await tx
        .select()
        .from(adoptionSteps)
        .where(
          inArray(
            adoptionSteps.runId,
            runs.map((r) => r.id),
          ),
        )
        .orderBy(adoptionSteps.startedAt, adoptionSteps.id)
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
    .where(
      and(
        eq(adoptionRuns.schemaName, schema),
        eq(adoptionRuns.status, "succeeded"),
        isNotNull(adoptionRuns.report),
      ),
    )
    .orderBy(desc(adoptionRuns.finishedAt))
    .limit(1);
  const running = history.find((r) => r.status === "running" && !r.interrupted) ?? null;
  return {
    history,
    running,
    report: (latest?.report as VerifyReport | undefined) ?? null,
    standingAdoption: await standingAdoption(tx, schema),
    // Not while a run holds the tables: pg_get_indexdef waits for their locks.
    tables: running ? [] : await introspect(tx, schema, { column }),
    schemas: (
      await tx.execute<{ name: string }>(sql`
            select n.nspname as name from pg_namespace n
             where n.nspname not in ('control', 'drizzle', 'information_schema') and n.nspname not like 'pg\_%'
               and exists (select 1 from pg_class c where c.relnamespace = n.oid and c.relkind in ('r', 'p'))
             order by 1`)
    ).rows.map((r) => r.name),
    canRun: ownerDatabaseUrl() !== null,
  };
}

/**
 * The customer that would own a schema's existing rows, when it is a live one (not the reserved
 * legacy owner, not suspended or gone): adopting then shows those rows to its users at once, so
 * the dashboard and the action ask for an explicit confirmation.
 */
export async function findLiveOwner(
  tx: Tx,
  tenantId: string,
): Promise<{ id: string; name: string } | null> {
  const [row] = await tx
    .select({ id: customers.id, name: customers.name, status: customers.status })
    .from(customers)
    .where(eq(customers.id, tenantId));
  return row && row.id !== LEGACY_CUSTOMER_ID && !isBlocked(row.status)
    ? { id: row.id, name: row.name }
    : null;
}

/** The same, for the run's action and the command line, which hold no transaction of their own. */
export function liveOwner(tenantId: string) {
  return withSystem("adoption", (tx) => findLiveOwner(tx, tenantId), { readOnly: true });
}

/**
 * What the plan is made from, read as the owner when one is configured, as the run will read
 * it: the console's roles may not read a schema's rows before it is adopted (NULL tenants, a
 * column's values and counts). Without an owner, the catalog the dashboard read, and nothing
 * from the data.
 */
export async function planInputs(
  schema: string,
  tables: TableInfo[],
  options: PlanOptions,
): Promise<{ tables: TableInfo[]; options: PlanOptions }> {
  const url = ownerDatabaseUrl();
  if (!url || tables.length === 0) return { tables, options };
  return inOwnerTransaction(url, async (_client, tx) => {
    const read = await introspect(tx, schema, { column: options.column });
    return { tables: read, options: await withSources(tx, schema, read, options) };
  });
}

/** One run with its steps (the status API), in the caller's (platform) transaction. */
export async function getAdoptionRun(tx: Tx, id: string) {
  const [run] = await tx
    .select({
      id: adoptionRuns.id,
      schemaName: adoptionRuns.schemaName,
      kind: adoptionRuns.kind,
      status: adoptionRuns.status,
      startedAt: adoptionRuns.startedAt,
      finishedAt: adoptionRuns.finishedAt,
      failedStep: adoptionRuns.failedStep,
      error: adoptionRuns.error,
    })
    .from(adoptionRuns)
    .where(eq(adoptionRuns.id, id));
  if (!run) return null;
  const steps = await tx
    .select({
      step: adoptionSteps.step,
      startedAt: adoptionSteps.startedAt,
      ms: adoptionSteps.ms,
      outcome: adoptionSteps.outcome,
    })
    .from(adoptionSteps)
    .where(eq(adoptionSteps.runId, id))
    .orderBy(adoptionSteps.startedAt, adoptionSteps.id);
  return { ...run, steps };
}
