// npm run adoption -- plan|run|verify|revert [--schema app] [--tenant LEGACY001] [--global t1,t2]
//                  [--global-unique k1,k2] [--column tenant_id] [--sql] [--confirm-owner ID]
//                  [--from-column organization_id [--tenants-table organizations --name-column name]
//                   [--mapping FILE] [--null-tenant LEGACY001] [--via table=fk,…]]
// plan: what adoption would change in each table of a schema of the database in DATABASE_URL,
// the problems that stop it, and with --sql the exact statements. run: does it, in one
// transaction, verified, or rolls it all back and says why. verify: each table's isolation now,
// recorded. revert: the standing adoption's down migration, verified. Exit 1 when not green.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { inOwnerTransaction } from "@/db/owner";
import { closeDatabase, withSystem, type Tx } from "@/db/tenant";
import { isCustomerId, normalizeCustomerId } from "@/lib/customers/ids";
import { introspect } from "./introspect";
import { describeRows, planAdoption, planScript, type PlanOptions } from "./plan";
import { liveOwner } from "./queries";
import { runAdoption, runRevert, runVerification, withSources, type RunResult } from "./run";
import type { VerifyReport } from "./verify";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    schema: { type: "string", default: "app" },
    tenant: { type: "string", default: "LEGACY001" },
    global: { type: "string", default: "" },
    "global-unique": { type: "string", default: "" },
    column: { type: "string", default: "tenant_id" },
    sql: { type: "boolean", default: false },
    "confirm-owner": { type: "string" },
    "from-column": { type: "string" },
    "tenants-table": { type: "string" },
    "name-column": { type: "string" },
    mapping: { type: "string" },
    "null-tenant": { type: "string" },
    via: { type: "string", default: "" },
  },
});

const USAGE =
  "Usage: npm run adoption -- plan|run|verify|revert [--schema app] [--tenant LEGACY001] [--global t1,t2] [--global-unique k1,k2] [--column tenant_id] [--sql] [--confirm-owner ID] [--from-column COLUMN [--tenants-table TABLE --name-column COLUMN] [--mapping FILE] [--null-tenant ID] [--via table=fk,…]]";

/** A mapping file: one `value,customer ID` per line, matching values to customers that exist. */
function readMapping(file: string): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const [n, line] of readFileSync(file, "utf8").split(/\r?\n/).entries()) {
    if (!line.trim() || line.startsWith("#")) continue;
    const [value, id] = line.split(",").map((x) => x.trim());
    const customer = normalizeCustomerId(id ?? "");
    if (!value || !isCustomerId(customer))
      throw new Error(`${file} line ${n + 1}: write value,customer ID (e.g. 42,ABC-DEF-GHJ)`);
    mapping[value] = customer;
  }
  return mapping;
}
const names = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function printReport(report: VerifyReport) {
  for (const t of report.tables) {
    console.log(
      `${report.schema}.${t.table}: ${t.state} (${t.rows.toLocaleString("en")} rows${t.customers ? `, ${t.customers} customers` : ""})`,
    );
    for (const p of t.problems) console.log(`  ✗ ${p}`);
    for (const w of t.warnings) console.log(`  ! ${w}`);
  }
  console.log(`\nProbe: ${report.probe.detail}.`);
  console.log(`${report.summary.text}.`);
}

/** Exit 0 when the run succeeded and, if `green` is asked, its report is all green. */
function printResult(result: RunResult, done: string, green: boolean) {
  if (!result.ok) {
    console.error(result.instructions);
    return 1;
  }
  printReport(result.report);
  console.log(`${done} in ${result.ms} ms.`);
  return !green || result.report.ok ? 0 : 1;
}

async function main() {
  const [verb] = positionals;
  if (!["plan", "run", "verify", "revert"].includes(verb)) {
    console.error(verb ? `Unknown command ${verb}. ${USAGE}` : USAGE);
    return 2;
  }
  const tenant = normalizeCustomerId(values.tenant!);
  if (!isCustomerId(tenant)) {
    console.error(`${values.tenant} is not a customer ID.`);
    return 2;
  }
  const schema = values.schema!;
  const nullTenant = values["null-tenant"] && normalizeCustomerId(values["null-tenant"]);
  if (nullTenant && !isCustomerId(nullTenant)) {
    console.error(`${values["null-tenant"]} is not a customer ID.`);
    return 2;
  }
  const options: PlanOptions = {
    tenantForExisting: tenant,
    globalTables: names(values.global),
    globalUniques: names(values["global-unique"]),
    column: values.column!,
    ...(values["from-column"]
      ? {
          from: {
            fromColumn: values["from-column"],
            tenantsTable: values["tenants-table"],
            nameColumn: values["name-column"],
            nullTenant: nullTenant || undefined,
            mapping: values.mapping ? readMapping(values.mapping) : undefined,
            via: Object.fromEntries(names(values.via).map((pair) => pair.split("="))),
          },
        }
      : {}),
  };
  if (verb !== "plan") {
    const ownerUrl = process.env.DATABASE_URL;
    if (!ownerUrl) {
      console.error(
        `adopt ${verb} works as the schema's owner: set DATABASE_URL to the owner's connection string.`,
      );
      return 2;
    }
    if (verb === "run") {
      // A live customer as the owner sees every existing row at once: the command asks, as the dashboard does.
      const owner = options.from ? null : await liveOwner(tenant);
      if (owner && values["confirm-owner"] !== owner.id) {
        console.error(
          `${owner.name} (${owner.id}) is a live customer: its users would see every existing row at once. Run again with --confirm-owner ${owner.id} if it owns them.`,
        );
        return 2;
      }
      return printResult(
        await runAdoption(ownerUrl, { schema, ...options }),
        `Adopted ${schema}, verified`,
        true,
      );
    }
    // A reverted schema is meant to be un-isolated again: its report is not expected to be green.
    if (verb === "revert")
      return printResult(
        await runRevert(ownerUrl, { schema }),
        `Reverted the adoption of ${schema}, verified`,
        false,
      );
    return printResult(await runVerification(ownerUrl, { schema }), `Verified ${schema}`, true);
  }
  // As the owner where one is configured, as the run will: the console's roles may not read
  // the rows a plan counts (NULL tenants, values of the column).
  const ownerUrl = process.env.DATABASE_URL;
  const read = async (tx: Tx) => {
    const tables = await introspect(tx, schema, { column: options.column });
    return { tables, options: await withSources(tx, schema, tables, options) };
  };
  const { tables, options: planned } = ownerUrl
    ? await inOwnerTransaction(ownerUrl, (_client, tx) => read(tx))
    : await withSystem("adoption", read, { readOnly: true });
  if (tables.length === 0) {
    console.error(`Schema ${schema} has no tables.`);
    return 1;
  }
  const plan = planAdoption(schema, tables, planned);
  for (const c of plan.customers ?? [])
    console.log(
      `${options.from!.fromColumn} = ${c.value} → ${c.isNew ? `a new customer, "${c.name}" (its ID is drawn when the run starts)` : c.id}`,
    );
  for (const t of plan.tables) {
    console.log(`${plan.schema}.${t.table} (${describeRows(t)}${t.scoped ? "" : ", global"})`);
    for (const change of t.changes) console.log(`  - ${change}`);
  }
  console.log(
    `\nEstimate: about ${plan.estimatedSeconds.toFixed(1)} s; the tables are locked only while the catalog changes.`,
  );
  if (values.sql) console.log(`\n${planScript(plan.steps)}`);
  if (plan.problems.length > 0) {
    console.error(`\nThe plan cannot run:\n${plan.problems.map((p) => `  - ${p}`).join("\n")}`);
    return 1;
  }
  return 0;
}

main()
  .then((code) => (process.exitCode = code))
  .catch((error: Error) => {
    console.error(`The plan failed: ${error.message}`);
    process.exitCode = 1;
  })
  .finally(() => closeDatabase());
