// npm run adopt -- plan [--schema app] [--tenant LEGACY001] [--global t1,t2] [--sql]
// Prints the adoption plan of a schema of the database in DATABASE_URL: per table what will
// change, the problems that stop it, and with --sql the exact statements. (run, verify and
// revert are the next part of the engine.)
import { parseArgs } from "node:util";
import { closeDatabase, withSystem } from "@/db/tenant";
import { isCustomerId, normalizeCustomerId } from "@/lib/customers/ids";
import { introspect } from "./introspect";
import { planAdoption } from "./plan";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    schema: { type: "string", default: "app" },
    tenant: { type: "string", default: "LEGACY001" },
    global: { type: "string", default: "" },
    sql: { type: "boolean", default: false },
  },
});

async function main() {
  const [verb] = positionals;
  if (verb !== "plan") {
    console.error(verb ? `adopt ${verb} is not available yet; only plan is.` : "Usage: npm run adopt -- plan [--schema app] [--tenant LEGACY001] [--global t1,t2] [--sql]");
    return 2;
  }
  const tenant = normalizeCustomerId(values.tenant!);
  if (!isCustomerId(tenant)) {
    console.error(`${values.tenant} is not a customer ID.`);
    return 2;
  }
  const tables = await withSystem("adoption", (tx) => introspect(tx, values.schema!), { readOnly: true });
  if (tables.length === 0) {
    console.error(`Schema ${values.schema} has no tables.`);
    return 1;
  }
  const plan = planAdoption(values.schema!, tables, {
    tenantForExisting: tenant,
    globalTables: values.global!.split(",").map((s) => s.trim()).filter(Boolean),
  });
  for (const t of plan.tables) {
    console.log(`${plan.schema}.${t.table} (${t.rows.toLocaleString("en")} rows${t.scoped ? "" : ", global"})`);
    for (const change of t.changes) console.log(`  - ${change}`);
  }
  console.log(`\nEstimate: about ${plan.estimatedSeconds.toFixed(1)} s, in one transaction.`);
  if (values.sql) for (const s of plan.steps) console.log(`\n-- ${s.name}\n${s.statements.map((x) => `${x};`).join("\n")}`);
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
