import "server-only";
import { ownerDatabaseUrl } from "@/db/env";
import { backupSettings, runDueBackups } from "./backups";

/**
 * While the server is up, looks every hour for customers due a backup (BACKUP_EVERY_HOURS,
 * default 24; 0 turns backups off). Backups read as the owner: without DATABASE_URL, none.
 */
export function startPeriodicBackups(): void {
  const settings = backupSettings();
  const ownerUrl = ownerDatabaseUrl();
  if (!ownerUrl || !Number.isFinite(settings.everyHours) || settings.everyHours <= 0) return;
  const run = () =>
    runDueBackups(ownerUrl, settings)
      .then((r) => {
        const failed = r.made.filter((m) => !m.verified);
        if (failed.length)
          console.error(`backups: ${failed.length} did not verify: ${failed[0].error}`);
      })
      .catch((error: Error) => console.error(`backups failed: ${error.message}`));
  // Not at start (a restart must not back everything up again at once): after ten minutes, then hourly.
  setTimeout(run, 10 * 60_000).unref();
  setInterval(run, 60 * 60_000).unref();
}
