// A stand-in for the platform application (docs/architecture.md §13): for each customer, writes
// and reads rows through the data door at a steady rate, wherever the customer lives, and keeps
// what was acknowledged — so a move can be checked for lost or doubled writes, and timed.
import "server-only";
import { sql } from "drizzle-orm";
import { withCustomerData } from "@/db/tenant";

export interface WorkloadReport {
  /** Per customer, the sequence numbers of the writes the database acknowledged. */
  acknowledged: Map<string, number[]>;
  errors: string[];
  /** Per customer, every acknowledged write's time, in ms. */
  writeMs: Map<string, number[]>;
  /** Per customer, when each of those writes began (ms since the epoch), in the same order. */
  writeAt: Map<string, number[]>;
  reads: number;
}

export interface Workload {
  stop(): Promise<WorkloadReport>;
}

/**
 * Starts writing `rate` rows a second in total, spread over `customers` (each row an entry in
 * app.sync_log with entity 'workload' and a sequence number), with a read of the customer's
 * latest after every tenth write.
 */
export function startWorkload(options: { customers: string[]; rate: number }): Workload {
  const report: WorkloadReport = {
    acknowledged: new Map(options.customers.map((c) => [c, []])),
    errors: [],
    writeMs: new Map(options.customers.map((c) => [c, []])),
    writeAt: new Map(options.customers.map((c) => [c, []])),
    reads: 0,
  };
  let running = true;
  const everyMs = (1000 * options.customers.length) / options.rate;
  const loops = options.customers.map(async (customer) => {
    for (let n = 1; running; n++) {
      const started = performance.now();
      const at = Date.now();
      try {
        await withCustomerData({ tenantId: customer }, (tx) =>
          tx.execute(
            sql`insert into app.sync_log (entity, entity_id, at) values ('workload', ${n}, now())`,
          ),
        );
        report.acknowledged.get(customer)!.push(n);
        report.writeMs.get(customer)!.push(performance.now() - started);
        report.writeAt.get(customer)!.push(at);
        if (n % 10 === 0) {
          await withCustomerData(
            { tenantId: customer },
            (tx) =>
              tx.execute(sql`select max(entity_id) from app.sync_log where entity = 'workload'`),
            { readOnly: true },
          );
          report.reads++;
        }
      } catch (error) {
        report.errors.push(`${customer} #${n}: ${(error as Error).message}`);
      }
      const waited = performance.now() - started;
      if (waited < everyMs) await new Promise((resolve) => setTimeout(resolve, everyMs - waited));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return report;
    },
  };
}

/** The report as JSON, its maps as objects: for a workload that runs as a process of its own. */
export const reportToJson = (report: WorkloadReport): string =>
  JSON.stringify(report, (_key, value) =>
    value instanceof Map ? Object.fromEntries(value) : value,
  );

/** A report written by reportToJson. */
export function reportFromJson(text: string): WorkloadReport {
  const json = JSON.parse(text);
  const map = (o: Record<string, number[]>) => new Map(Object.entries(o));
  return {
    ...json,
    acknowledged: map(json.acknowledged),
    writeMs: map(json.writeMs),
    writeAt: map(json.writeAt),
  };
}
