// npm run adopt -- plan|run [--schema app] [--tenant LEGACY001] [--global t1,t2] [--sql]
// plan: what adoption would change in each table of a schema of the database in DATABASE_URL,
// the problems that stop it, and with --sql the exact statements. run: does it, in one
// transaction, verified, or rolls it all back and says why. (verify and revert: to come.)
import { parseArgs } from "node:util";
import { closeDatabase, withSystem } from "@/db/tenant";
import { isCustomerId, normalizeCustomerId } from "@/lib/customers/ids";
import { introspect } from "./introspect";
import { planAdoption } from "./plan";
import { runAdoption } from "./run";

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
  if (verb !== "plan" && verb !== "run") {
    console.error(
      verb ? `adopt ${verb} is not available yet; plan and run are.` : "Usage: npm run adopt -- plan|run [--schema app] [--tenant LEGACY001] [--global t1,t2] [--sql]",
    );
    return 2;
  }
  const tenant = normalizeCustomerId(values.tenant!);
  if (!isCustomerId(tenant)) {
    console.error(`${values.tenant} is not a customer ID.`);
    return 2;
  }
  const globalTables = values.global!.split(",").map((s) => s.trim()).filter(Boolean);
  if (verb === "run") {
    if (!process.env.DATABASE_URL) {
      console.error("adopt run changes the schema: set DATABASE_URL to the owner's connection string.");
      return 2;
    }
    const result = await runAdoption(process.env.DATABASE_URL, { schema: values.schema!, tenantForExisting: tenant, globalTables });
    console.log(result.ok ? `Adopted ${result.tables} tables of ${values.schema} in ${result.ms} ms, verified.` : result.instructions);
    return result.ok ? 0 : 1;
  }
  const tables = await withSystem("adoption", (tx) => introspect(tx, values.schema!), { readOnly: true });
  if (tables.length === 0) {
    console.error(`Schema ${values.schema} has no tables.`);
    return 1;
  }
  const plan = planAdoption(values.schema!, tables, {
    tenantForExisting: tenant,
    globalTables,
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
