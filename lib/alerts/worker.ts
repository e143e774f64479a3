// The alerts' worker (docs/architecture.md §15), while the server is up: every 5 s the webhook's
// deliveries; every minute what no request notices — trials past their end (they expire), the
// guard failing on any registered database, and a move's replication slot left behind (it
// keeps the source's WAL forever).
import "server-only";
import { sql } from "drizzle-orm";
import { appIsolationReport } from "@/db/guard";
import { withSystem } from "@/db/tenant";
import { listDatabases, replicationSlots } from "@/lib/databases/registry";
import { ownerDatabaseUrl } from "@/db/env";
import { expireTrials } from "@/lib/customers/trials";
import { raiseAlertNow } from "./raise";
import { deliverAlerts } from "./webhook";

/** The guard's checks and the registered databases' slots, alerted on when wrong. */
export async function watchPlatform(): Promise<void> {
  await expireTrials();
  const report = await appIsolationReport().catch((error: Error) => ({
    ok: false,
    checks: [{ ok: false, name: "reachable", detail: error.message }],
  }));
  if (!report.ok)
    await raiseAlertNow({
      kind: "guard",
      dedupeKey: "guard",
      summary: `The isolation guard fails: ${report.checks
        .filter((c) => !c.ok)
        .map((c) => (c.detail ? `${c.name}: ${c.detail}` : c.name))
        .slice(0, 3)
        .join("; ")}`,
    });
  const ownerUrl = ownerDatabaseUrl();
  if (!ownerUrl) return;
  const running = await withSystem(
    "alerts",
    async (tx) =>
      (
        await tx.execute<{ name: string }>(
          sql`select 'tenantry_move_' || replace(id::text, '-', '') as name from control.moves where status = 'running'`,
        )
      ).rows.map((r) => r.name),
    { readOnly: true },
  );
  for (const entry of await listDatabases(ownerUrl)) {
    if (entry.status === "offline") continue;
    const slots = await replicationSlots(entry).catch(() => []);
    for (const slot of slots.filter(
      (s) => s.name.startsWith("tenantry_move_") && !s.active && !running.includes(s.name),
    ))
      await raiseAlertNow({
        kind: "slot",
        dedupeKey: `slot:${entry.name}:${slot.name}`,
        summary: `Replication slot ${slot.name} on ${entry.name} belongs to no running move and holds ${slot.retainedBytes ?? 0} bytes of WAL: npm run move -- resume drops it.`,
        details: { database: entry.name, slot: slot.name },
      });
  }
}

export function startAlertWorker(): void {
  let delivering = false;
  setInterval(() => {
    if (delivering) return;
    delivering = true;
    deliverAlerts()
      .catch((error: Error) => console.error(`alerts: ${error.message}`))
      .finally(() => (delivering = false));
  }, 5_000).unref();
  let watching = false;
  setInterval(() => {
    if (watching) return;
    watching = true;
    watchPlatform()
      .catch((error: Error) => console.error(`alerts: ${error.message}`))
      .finally(() => (watching = false));
  }, 60_000).unref();
}
