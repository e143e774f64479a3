import "server-only";
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
