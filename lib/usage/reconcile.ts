// The counts' reconcile (docs/architecture.md §8): the user counts on the primary and the row
// counters on every registered database that is not offline, each compared with an exact count
// and mended. Drift means something wrote past the triggers (a statement on a partition
// rather than its parent, a replicated row): it is reported, and raised as one alert per run.
import "server-only";
import { drizzle } from "drizzle-orm/node-postgres";
import { ownerUrlIn, PRIMARY_DATABASE } from "@/db/databases";
import { withOwnerClient } from "@/db/owner";
import { listDatabases } from "@/lib/databases/registry";
import { raiseAlert } from "@/lib/alerts/raise";
import { ensureRowCounters, reconcileRowCounts, reconcileUserCounts, type Drift } from "./counters";

export interface ReconcileReport {
  databases: { name: string; tables: number; drift: Drift[]; error?: string }[];
  users: Drift[];
}

export async function reconcileCounts(
  ownerUrl: string,
  options: { pauseMs?: number } = {},
): Promise<ReconcileReport> {
  const databases: ReconcileReport["databases"] = [];
  for (const entry of (await listDatabases(ownerUrl)).filter((d) => d.status !== "offline")) {
    try {
      // Tables without the counters get them first (with their first count).
      const r = await withOwnerClient(ownerUrlIn(ownerUrl, entry), async (client) => {
        await ensureRowCounters(client);
        return reconcileRowCounts(client, options);
      });
      databases.push({ name: entry.name, ...r });
    } catch (error) {
      databases.push({ name: entry.name, tables: 0, drift: [], error: (error as Error).message });
    }
  }
  return withOwnerClient(ownerUrl, async (client) => {
    const users = await reconcileUserCounts(client);
    const drifted = databases.reduce((n, d) => n + d.drift.length, users.length);
    if (drifted)
      await raiseAlert(drizzle(client), {
        kind: "failure",
        dedupeKey: "counts:drift",
        summary: `The usage counts had drifted for ${drifted} table(s) and customer(s); the reconcile mended them.`,
        details: {
          users: users.slice(0, 20),
          rows: databases
            .flatMap((d) => d.drift.map((x) => ({ database: d.name, ...x })))
            .slice(0, 20),
        },
      });
    return { databases, users };
  });
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
  return lines;
}
