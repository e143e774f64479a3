import "server-only";
import { ownerDatabaseUrl } from "@/db/env";
import { describeReconcile, reconcileIfDue } from "./reconcile";
import { takeSnapshot } from "./snapshot";

/** Snapshots every USAGE_SNAPSHOT_MINUTES (default 5; 0 turns it off) while the server is up. */
export function startPeriodicSnapshots(): void {
  const minutes = Number(process.env.USAGE_SNAPSHOT_MINUTES ?? 5);
  if (!Number.isFinite(minutes) || minutes <= 0) return;
  const run = () =>
    takeSnapshot("periodic").catch((error: Error) =>
      console.error(`usage snapshot failed: ${error.message}`),
    );
  // The first one soon after start, so a fresh console has figures; then on the interval.
  setTimeout(run, 5_000).unref();
  setInterval(run, minutes * 60_000).unref();
}

/**
 * Reconciles the counts every USAGE_RECONCILE_HOURS (default 24; 0 turns it off), as the owner
 * (without DATABASE_URL, never), a table at a time with a pause between. The server looks soon
 * after it starts and then hourly whether one is due (control.job_runs), so restarts neither
 * repeat it nor put it off; when none is due it only puts the counters on tables that lack them.
 */
export function startPeriodicReconcile(): void {
  const hours = Number(process.env.USAGE_RECONCILE_HOURS ?? 24);
  const ownerUrl = ownerDatabaseUrl();
  if (!ownerUrl || !Number.isFinite(hours) || hours <= 0) return;
  const run = () =>
    reconcileIfDue(ownerUrl, hours, { pauseMs: 200 })
      .then((report) => {
        if (!report) return;
        const drifted = report.users.length > 0 || report.databases.some((d) => d.drift.length);
        if (drifted || report.databases.some((d) => d.error))
          console.error(`usage reconcile:\n${describeReconcile(report).join("\n")}`);
      })
      .catch((error: Error) => console.error(`usage reconcile failed: ${error.message}`));
  setTimeout(run, 30_000).unref();
  setInterval(run, Math.min(hours, 1) * 3_600_000).unref();
}
