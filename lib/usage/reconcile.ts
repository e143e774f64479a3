// The counts' reconcile (docs/architecture.md §8): the user counts and the metered events' month
// totals on the primary and the row counters on every registered database that is not offline,
// each compared with an exact count and mended. Drift means something wrote past the triggers (a
// replicated row, a customer change that moved a row to another partition): it is reported, and
// raised as one alert per run.
import "server-only";
import { drizzle } from "drizzle-orm/node-postgres";
import { ownerUrlIn, PRIMARY_DATABASE } from "@/db/databases";
import { withOwnerClient, type OwnerClient } from "@/db/owner";
import { listDatabases } from "@/lib/databases/registry";
import { raiseAlert } from "@/lib/alerts/raise";
import {
  ensureRowCounters,
  reconcileEventTotals,
  reconcileRowCounts,
  reconcileUserCounts,
  type Drift,
} from "./counters";

export interface ReconcileReport {
  databases: { name: string; tables: number; drift: Drift[]; error?: string }[];
  users: Drift[];
  /** The metered events' month totals (control.usage_event_totals) on the primary. */
  events: Drift[];
}

/** The job's name in control.job_runs. */
const JOB = "usage-reconcile";

/** `work` as the owner on every registered database that is not offline, one at a time. */
async function onEveryDatabase<T>(ownerUrl: string, work: (client: OwnerClient) => Promise<T>) {
  const done: { name: string; result?: T; error?: string }[] = [];
  for (const entry of (await listDatabases(ownerUrl)).filter((d) => d.status !== "offline")) {
    try {
      done.push({
        name: entry.name,
        result: await withOwnerClient(ownerUrlIn(ownerUrl, entry), work),
      });
    } catch (error) {
      done.push({ name: entry.name, error: (error as Error).message });
    }
  }
  return done;
}

export async function reconcileCounts(
  ownerUrl: string,
  options: { pauseMs?: number } = {},
): Promise<ReconcileReport> {
  // Tables without the counters get them first (with their first count).
  const databases = (
    await onEveryDatabase(ownerUrl, async (client) => {
      await ensureRowCounters(client);
      return reconcileRowCounts(client, options);
    })
  ).map(({ name, result, error }) =>
    error ? { name, tables: 0, drift: [], error } : { name, ...result! },
  );
  return withOwnerClient(ownerUrl, async (client) => {
    const users = await reconcileUserCounts(client);
    const events = await reconcileEventTotals(client);
    const drifted = databases.reduce((n, d) => n + d.drift.length, users.length + events.length);
    if (drifted)
      await raiseAlert(drizzle(client), {
        kind: "failure",
        dedupeKey: "counts:drift",
        summary: `The usage counts had drifted for ${drifted} table(s) and customer(s); the reconcile mended them.`,
        details: {
          users: users.slice(0, 20),
          events: events.slice(0, 20),
          rows: databases
            .flatMap((d) => d.drift.map((x) => ({ database: d.name, ...x })))
            .slice(0, 20),
        },
      });
    await client.query(
      `insert into control.job_runs (job, finished_at) values ($1, now())
       on conflict (job) do update set finished_at = excluded.finished_at`,
      [JOB],
    );
    return { databases, users, events };
  });
}

/**
 * The reconcile if none finished within `hours` (control.job_runs); otherwise only the counters
 * made on tables that lack them, which reads no table whole. What the server runs soon after it
 * starts and then hourly, so a restart neither redoes the exact counts nor puts them off.
 */
export async function reconcileIfDue(
  ownerUrl: string,
  hours: number,
  options: { pauseMs?: number } = {},
): Promise<ReconcileReport | null> {
  const due = await withOwnerClient(ownerUrl, async (client) => {
    const { rows } = await client.query<{ due: boolean }>(
      `select not exists (select 1 from control.job_runs
                           where job = $1 and finished_at > now() - $2 * interval '1 hour') as due`,
      [JOB, hours],
    );
    return rows[0].due;
  });
  if (due) return reconcileCounts(ownerUrl, options);
  for (const { name, error } of await onEveryDatabase(ownerUrl, ensureRowCounters))
    if (error) console.error(`usage counters on ${name}: ${error}`);
  return null;
}

/** One line per database and its drift, for the command and the log. */
export function describeReconcile(report: ReconcileReport): string[] {
  const lines = report.databases.map((d) =>
    d.error
      ? `${d.name}: not reconciled: ${d.error}`
      : `${d.name}: ${d.tables} counted table(s), ${d.drift.length ? `${d.drift.length} drifted and mended` : "no drift"}`,
  );
  for (const d of report.databases.flatMap((x) => x.drift.map((y) => ({ db: x.name, ...y }))))
    lines.push(`  ${d.db} ${d.table} ${d.tenantId}: counted ${d.counted}, actually ${d.actual}`);
  lines.push(
    `${PRIMARY_DATABASE} user counts: ${report.users.length ? `${report.users.length} drifted and mended` : "no drift"}`,
  );
  for (const u of report.users)
    lines.push(`  ${u.tenantId}: counted ${u.counted}, actually ${u.actual}`);
  lines.push(
    `${PRIMARY_DATABASE} metered event totals: ${report.events.length ? `${report.events.length} drifted and mended` : "no drift"}`,
  );
  for (const e of report.events)
    lines.push(`  ${e.table} ${e.tenantId}: counted ${e.counted}, actually ${e.actual}`);
  return lines;
}
