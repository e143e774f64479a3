// A stand-in for the application while an adoption runs (the lock-window test and bench:adopt):
// every 10 ms it inserts into three tables of the sample and updates a fourth, as the owner
// with the legacy customer set, and times each statement. Its longest wait is how long the
// application stood still. The server times each statement, from its arrival to the end of its
// work (before its commit's flush): what locks held it up, and not the disk's flushes nor this
// process's own event loop, which the run it stands beside keeps busy at times (CI saw a 598 ms
// "wait" beside a 156 ms lock window on a loaded machine).
import { withOwnerClient } from "@/db/owner";

export interface WriterReport {
  statements: number;
  errors: string[];
  /** The longest statement as the server timed it, in ms. */
  longestMs: number;
}

export function startWriter(
  ownerUrl: string,
  tenant: string,
  options: { schema?: string; asTenant?: boolean } = {},
) {
  const schema = options.schema ?? "app";
  let running = true;
  const report: WriterReport = { statements: 0, errors: [], longestMs: 0 };
  const statements = [
    `insert into ${schema}.sync_log (entity, entity_id, at) values ('writer', 1, now())`,
    `insert into ${schema}.pending_operations (operation, payload, created_at) values ('writer', '{}', now())`,
    `insert into ${schema}.inventory_transactions (inventory_id, delta, at) select id, 1, now() from ${schema}.inventory order by id limit 1`,
    `update ${schema}.inventory set quantity = quantity + 1 where id = (select min(id) from ${schema}.inventory)`,
  ];
  const done = withOwnerClient(ownerUrl, async (client) => {
    // Ignored before the adoption; after it, the rows' owner and what the policy lets through.
    await client.query("select set_config('app.tenant_id', $1, false)", [tenant]);
    // As the tenant role (an adopted schema only), RLS keeps it to its own customer's rows.
    if (options.asTenant) await client.query("set role tenantry_tenant");
    for (let i = 0; running; i++) {
      const started = performance.now();
      let ms: number;
      try {
        // The time is read once the write is done: an aggregate over its rows projects last.
        const { rows } = await client.query<{ ms: number }>(
          `with w as (${statements[i % statements.length]} returning 1)
           select count(*), extract(epoch from clock_timestamp() - statement_timestamp()) * 1000 as ms from w`,
        );
        ms = Number(rows[0].ms);
      } catch (error) {
        report.errors.push((error as Error).message);
        ms = performance.now() - started;
      }
      report.longestMs = Math.max(report.longestMs, ms);
      report.statements++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
  return {
    async stop(): Promise<WriterReport> {
      running = false;
      await done;
      return report;
    },
  };
}
