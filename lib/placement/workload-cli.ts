// npm run workload -- --customers A,B [--rate 200] [--seconds 10] [--report FILE]
// Writes and reads rows for the customers through the data door at `rate` rows a second in
// total, wherever each lives (docs/architecture.md §13), then says what was acknowledged. It
// stops after `seconds`, or earlier on SIGTERM or SIGINT. `--report FILE`: the whole report as
// JSON there (every acknowledged write's sequence number, start and time), for a bench that runs
// the workload as its own process, as the platform's application is.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { summarize } from "@/db/bench/stats";
import { endDatabasePools } from "@/db/databases";
import { closeDatabase } from "@/db/tenant";
import { isCustomerId, normalizeCustomerId } from "@/lib/customers/ids";
import { reportToJson, startWorkload } from "./workload";

const { values } = parseArgs({
  options: {
    customers: { type: "string" },
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "10" },
    report: { type: "string" },
  },
});
const customers = (values.customers ?? "").split(",").filter(Boolean).map(normalizeCustomerId);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
if (!customers.length || !customers.every(isCustomerId) || !(rate > 0) || !(seconds > 0)) {
  console.error(
    "Usage: npm run workload -- --customers A,B [--rate 200] [--seconds 10] [--report FILE]",
  );
  process.exit(2);
}
const workload = startWorkload({ customers, rate });
console.log(`Writing for ${customers.join(", ")} at ${rate} rows a second …`);
await new Promise<void>((resolve) => {
  setTimeout(resolve, seconds * 1000).unref();
  process.once("SIGTERM", resolve);
  process.once("SIGINT", resolve);
});
const report = await workload.stop();
await closeDatabase();
await endDatabasePools();
if (values.report) writeFileSync(values.report, reportToJson(report));
const { p50, p95 } = summarize([...report.writeMs.values()].flat());
for (const [customer, acknowledged] of report.acknowledged)
  console.log(`${customer}: ${acknowledged.length} writes acknowledged`);
console.log(
  `writes p50 ${p50?.toFixed(1)} ms, p95 ${p95?.toFixed(1)} ms; ${report.reads} reads; ${report.errors.length} errors${report.errors.length ? `, first: ${report.errors[0]}` : ""}`,
);
process.exitCode = report.errors.length ? 1 : 0;
