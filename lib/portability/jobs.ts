// Recorded jobs (docs/architecture.md §12): every export, backup, restore and erase is a row of
// control.data_jobs, written from a connection of its own beside the work's transaction — its
// step and per-table progress as they change, at most a few times a second, and how it ended —
// so the customer's page can watch it and a rollback takes none of it along. Its end is an audit
// event (`jobs.<kind>`) on the customer's trail.
import "server-only";
import { drizzle } from "drizzle-orm/node-postgres";
import { withOwnerClient, type OwnerClient } from "@/db/owner";
import { raiseAlertNow } from "@/lib/alerts/raise";
import { insertAuditEvent } from "@/lib/audit/record";

export type JobKind = "export" | "backup" | "restore" | "erase";

export interface TableProgress {
  table: string;
  rows: number;
  /** The rows the table will have when done, when the job knows them beforehand. */
  of: number | null;
  state: "waiting" | "running" | "done";
}

/** What a job's work reports as it goes. */
export interface Progress {
  step(text: string): void;
  /** The tables the job will take, in its order. */
  tables(list: { table: string; of?: number | null }[]): void;
  /** A table's rows so far, and the rows it will have when done once they are known. */
  table(table: string, rows: number, state?: "running" | "done", of?: number): void;
}

export interface JobOptions {
  kind: JobKind;
  tenantId: string;
  /** Who started it: a user's email, or what started it ("scheduled backup", "command line (…)"). */
  by: string;
  /** Called with the job's ID once it is recorded, before the work starts. */
  onStart?: (jobId: string) => void;
  /** Every change of a table's progress, e.g. for a command line to print. */
  onProgress?: (table: TableProgress) => void;
}

/** Writes no oftener than this; the last state is always written. */
const WRITE_EVERY_MS = 300;
/** A running job is touched this often even when it reports nothing (one long statement). */
const HEARTBEAT_MS = 15_000;
/** A running job untouched for this long was cut off with its process. */
export const JOB_STALE_SECONDS = 60;

class JobRecorder implements Progress {
  private current = "starting";
  private list: TableProgress[] = [];
  private dirty = false;
  private writing: Promise<void> | null = null;
  /** Once the work is over, writes no longer pause: the job's end waits for none. */
  private ending = false;
  private wake: () => void = () => undefined;

  constructor(
    private readonly client: OwnerClient,
    private readonly id: string,
    private readonly onProgress?: (table: TableProgress) => void,
  ) {}

  step(text: string) {
    this.current = text;
    this.schedule();
  }

  tables(list: { table: string; of?: number | null }[]) {
    this.list = list.map((t) => ({ table: t.table, rows: 0, of: t.of ?? null, state: "waiting" }));
    this.schedule();
  }

  table(table: string, rows: number, state: "running" | "done" = "running", of?: number) {
    let entry = this.list.find((t) => t.table === table);
    if (!entry) this.list.push((entry = { table, rows, of: null, state }));
    Object.assign(entry, { rows, state }, of === undefined ? {} : { of });
    this.onProgress?.(entry);
    this.schedule();
  }

  /** Writes the latest state, then waits a little before the next; errors are only reported. */
  private schedule() {
    this.dirty = true;
    this.writing ??= (async () => {
      while (this.dirty) {
        this.dirty = false;
        await this.write().catch((error: Error) =>
          console.error(`job ${this.id} progress: ${error.message}`),
        );
        if (this.ending) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, WRITE_EVERY_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      this.writing = null;
    })();
  }

  private write() {
    return this.client.query(
      "update control.data_jobs set step = $2, progress = $3, updated_at = now() where id = $1",
      [this.id, this.current, JSON.stringify(this.list)],
    );
  }

  heartbeat() {
    if (!this.writing) this.schedule();
  }

  /** Waits for the live writes, then writes the end and its audit event in one transaction. */
  async end(outcome: { error: string | null; details: Record<string, unknown> }, job: JobOptions) {
    this.ending = true;
    this.wake();
    while (this.writing) await this.writing;
    await this.client.query("begin");
    try {
      await this.client.query(
        `update control.data_jobs set status = $2, step = $3, progress = $4, error = $5,
                updated_at = now(), finished_at = now() where id = $1`,
        [
          this.id,
          outcome.error === null ? "succeeded" : "failed",
          outcome.error === null ? "done" : `failed while ${this.current}`,
          JSON.stringify(this.list),
          outcome.error,
        ],
      );
      await insertAuditEvent(drizzle(this.client), {
        action: `jobs.${job.kind}`,
        outcome: outcome.error === null ? "ok" : "failed",
        actorEmail: job.by.includes("@") ? job.by : null,
        actorRole: job.by.includes("@") ? null : job.by,
        tenantId: job.tenantId,
        targetType: "job",
        targetId: this.id,
        details: {
          ...outcome.details,
          ...(outcome.error === null ? {} : { error: outcome.error, step: this.current }),
        },
      });
      await this.client.query("commit");
    } catch (error) {
      await this.client.query("rollback").catch(() => undefined);
      throw error;
    }
    if (outcome.error !== null)
      await raiseAlertNow({
        kind: "failure",
        tenantId: job.tenantId,
        dedupeKey: `job:${this.id}`,
        summary: `The ${job.kind} of ${job.tenantId} failed while ${this.current}: ${outcome.error}`,
        details: { jobId: this.id, kind: job.kind },
      });
  }
}

/**
 * Runs `work` as a recorded job of `job.tenantId`: recorded before it starts, its progress
 * written live, its end (with `summary` of the result, or the error) recorded and audited.
 * The work's result or error is returned or thrown unchanged.
 */
export function recordJob<T>(
  ownerUrl: string,
  job: JobOptions,
  work: (progress: Progress) => Promise<T>,
  summary: (result: T) => Record<string, unknown>,
): Promise<T> {
  return withOwnerClient(ownerUrl, async (client) => {
    // This connection is the job's alone: its setting lasts the session.
    await client.query("select set_config('app.tenant_id', $1, false)", [job.tenantId]);
    // A job of this customer still "running" but untouched was cut off with its process.
    await client.query(
      `update control.data_jobs set status = 'failed', finished_at = now(),
              error = 'interrupted: the process running it stopped; what it wrote in its transaction was rolled back'
        where status = 'running' and updated_at < now() - make_interval(secs => $1)`,
      [JOB_STALE_SECONDS],
    );
    const { rows } = await client.query<{ id: string }>(
      "insert into control.data_jobs (tenant_id, kind, started_by) values ($1, $2, $3) returning id",
      [job.tenantId, job.kind, job.by],
    );
    const recorder = new JobRecorder(client, rows[0].id, job.onProgress);
    job.onStart?.(rows[0].id);
    const heartbeat = setInterval(() => recorder.heartbeat(), HEARTBEAT_MS);
    let result: T;
    try {
      result = await work(recorder);
    } catch (error) {
      clearInterval(heartbeat);
      await recorder
        .end({ error: (error as Error).message, details: {} }, job)
        .catch((e: Error) => console.error(`job ${rows[0].id}: ${e.message}`));
      throw error;
    }
    clearInterval(heartbeat);
    // The work is done whatever happens to its record.
    await recorder
      .end({ error: null, details: summary(result) }, job)
      .catch((e: Error) => console.error(`job ${rows[0].id}: ${e.message}`));
    return result;
  });
}
