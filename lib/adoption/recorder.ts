// The record of an adoption run, kept on a connection of its own beside the run's transaction:
// the advisory lock that keeps runs from overlapping, the run's row, and its steps — written live
// as they start and end, without waiting, so a dashboard can watch, and written once more as
// they ended when the run is over (a rollback takes nothing of them with it, but a step that
// committed nothing reads "rolled back"). Through drizzle, like the dashboard that reads it.
import "server-only";
import { raiseAlertNow } from "@/lib/alerts/raise";
import { and, eq, sql } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import type { OwnerClient } from "@/db/owner";
import { adoptionRuns, adoptionSteps } from "@/db/schema";

export type RunKind = "adopt" | "revert" | "verify";
export type StepOutcome = "running" | "ok" | "failed" | "rolled back";

export interface StepEntry {
  step: string;
  startedAt: Date;
  ms: number | null;
  outcome: StepOutcome;
}

/** The key of the advisory lock a run holds for its whole length. */
export const ADOPTION_LOCK = "tenantry.adoption";
const LOCK = sql`hashtext(${ADOPTION_LOCK})`;

export class RunRecorder {
  private readonly db: NodePgDatabase;
  private written: Promise<unknown> = Promise.resolve();
  readonly steps: StepEntry[] = [];

  constructor(client: OwnerClient) {
    this.db = drizzle(client);
  }

  /** Takes the lock; false when another run holds it. */
  async lock(): Promise<boolean> {
    const { rows } = await this.db.execute<{ ok: boolean }>(
      sql`select pg_try_advisory_lock(${LOCK}) as ok`,
    );
    return rows[0].ok;
  }

  async unlock(): Promise<void> {
    await this.written;
    await this.db.execute(sql`select pg_advisory_unlock(${LOCK})`);
  }

  /** A run refused before it started: recorded as failed at "start". */
  async refused(
    schema: string,
    kind: RunKind,
    error: string,
    instructions: string,
  ): Promise<string> {
    const [run] = await this.db
      .insert(adoptionRuns)
      .values({
        schemaName: schema,
        kind,
        status: "failed",
        finishedAt: new Date(),
        failedStep: "start",
        error,
        instructions,
      })
      .returning({ id: adoptionRuns.id });
    return run.id;
  }

  /** Starts a run; any run still marked running was cut off with its process (this one holds the lock). */
  async start(schema: string, kind: RunKind): Promise<string> {
    await this.db
      .update(adoptionRuns)
      .set({
        status: "failed",
        finishedAt: new Date(),
        error:
          "interrupted: the process running it stopped; the transaction it was in was rolled back, and what earlier phases of an adoption committed stays: plan again, and the plan finishes it",
      })
      .where(eq(adoptionRuns.status, "running"));
    const [run] = await this.db
      .insert(adoptionRuns)
      .values({ schemaName: schema, kind, status: "running" })
      .returning({ id: adoptionRuns.id });
    return run.id;
  }

  stepStarted(runId: string, step: string): StepEntry {
    const entry: StepEntry = { step, startedAt: new Date(), ms: null, outcome: "running" };
    this.steps.push(entry);
    this.live(() =>
      this.db
        .insert(adoptionSteps)
        .values({ runId, step, startedAt: entry.startedAt, outcome: "running" }),
    );
    return entry;
  }

  stepEnded(runId: string, entry: StepEntry, outcome: "ok" | "failed"): void {
    Object.assign(entry, { outcome, ms: Date.now() - entry.startedAt.getTime() });
    if (outcome === "ok") {
      this.live(() =>
        this.db
          .update(adoptionSteps)
          .set({ outcome: "ok", ms: entry.ms })
          .where(and(eq(adoptionSteps.runId, runId), eq(adoptionSteps.step, entry.step))),
      );
    }
  }

  async succeeded(
    runId: string,
    result: { options: unknown; beforeCatalog: unknown; report: unknown },
  ): Promise<void> {
    await this.writeSteps(runId);
    await this.db
      .update(adoptionRuns)
      .set({
        status: "succeeded",
        finishedAt: new Date(),
        options: result.options,
        beforeCatalog: result.beforeCatalog ?? null,
        report: result.report,
      })
      .where(eq(adoptionRuns.id, runId));
  }

  async failed(
    runId: string,
    failure: { options: unknown; step: string; error: string; instructions: string },
  ): Promise<void> {
    for (const entry of this.steps) if (entry.outcome === "ok") entry.outcome = "rolled back";
    await this.writeSteps(runId);
    await this.db
      .update(adoptionRuns)
      .set({
        status: "failed",
        finishedAt: new Date(),
        options: failure.options,
        failedStep: failure.step,
        error: failure.error,
        instructions: failure.instructions,
      })
      .where(eq(adoptionRuns.id, runId));
    await raiseAlertNow({
      kind: "failure",
      dedupeKey: `adoption:${runId}`,
      summary: `An adoption run failed at ${failure.step}: ${failure.error}`,
      details: { runId, step: failure.step },
    });
  }

  /** Queued behind the writes before it; a failed live write is reported, never the run's failure. */
  private live(write: () => PromiseLike<unknown>): void {
    this.written = this.written
      .then(write)
      .catch((error: Error) => console.error(`adoption progress: ${error.message}`));
  }

  /** The steps as they ended, replacing the live rows. */
  private async writeSteps(runId: string): Promise<void> {
    await this.written;
    await this.db.delete(adoptionSteps).where(eq(adoptionSteps.runId, runId));
    if (this.steps.length === 0) return;
    await this.db.insert(adoptionSteps).values(
      this.steps.map((s) => ({
        runId,
        step: s.step,
        startedAt: s.startedAt,
        ms: s.ms,
        outcome: s.outcome,
      })),
    );
  }
}
