// npm run workload -- --customers A,B [--rate 200] [--seconds 10]
// Writes and reads rows for the customers through the data door at `rate` rows a second in
// total, wherever each lives (docs/architecture.md §13), then says what was acknowledged.
import { parseArgs } from "node:util";
import { summarize } from "@/db/bench/stats";
import { endDatabasePools } from "@/db/databases";
import { closeDatabase } from "@/db/tenant";
import { isCustomerId, normalizeCustomerId } from "@/lib/customers/ids";
import { startWorkload } from "./workload";

const { values } = parseArgs({
  options: {
    customers: { type: "string" },
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "10" },
  },
});
const customers = (values.customers ?? "").split(",").filter(Boolean).map(normalizeCustomerId);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
if (!customers.length || !customers.every(isCustomerId) || !(rate > 0) || !(seconds > 0)) {
  console.error("Usage: npm run workload -- --customers A,B [--rate 200] [--seconds 10]");
  process.exit(2);
}
const workload = startWorkload({ customers, rate });
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const report = await workload.stop();
await closeDatabase();
await endDatabasePools();
const { p50, p95 } = summarize([...report.writeMs.values()].flat());
for (const [customer, acknowledged] of report.acknowledged)
  console.log(`${customer}: ${acknowledged.length} writes acknowledged`);
console.log(
  `writes p50 ${p50?.toFixed(1)} ms, p95 ${p95?.toFixed(1)} ms; ${report.reads} reads; ${report.errors.length} errors${report.errors.length ? `, first: ${report.errors[0]}` : ""}`,
);
process.exitCode = report.errors.length ? 1 : 0;
