// npm run customer -- export <ID> [--out FILE] | restore FILE [--as ID] [--replace]
// export: the customer's archive (README, "Customer archives") from the database in
// DATABASE_URL, to FILE (default <ID>-<time>.tar.gz). restore: checks the archive, then writes
// it in one transaction, verified against its manifest, as the archive's customer or as
// another (--as: a clone, created if missing); a customer with rows is refused unless --replace.
import { parseArgs } from "node:util";
import { isCustomerId, normalizeCustomerId } from "@/lib/customers/ids";
import { ArchiveError } from "./archive";
import { exportCustomer } from "./export";
import { restoreCustomer } from "./restore";

const USAGE =
  "Usage: npm run customer -- export <ID> [--out FILE] | restore FILE [--as ID] [--replace]";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: "string" },
      as: { type: "string" },
      replace: { type: "boolean", default: false },
    },
  });
  const [verb, subject] = positionals;
  const ownerUrl = process.env.DATABASE_URL;
  if (!["export", "restore"].includes(verb) || !subject) {
    console.error(USAGE);
    return 2;
  }
  if (!ownerUrl) {
    console.error(
      `customer ${verb} works as the owner: set DATABASE_URL to the owner's connection string.`,
    );
    return 2;
  }
  if (verb === "export") {
    const id = normalizeCustomerId(subject);
    if (!isCustomerId(id)) {
      console.error(`${subject} is not a customer ID.`);
      return 2;
    }
    const file = values.out ?? `${id}-${new Date().toISOString().replace(/[:.]/g, "-")}.tar.gz`;
    const manifest = await exportCustomer(ownerUrl, id, file);
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    console.log(
      `Exported ${manifest.customer.name} (${id}): ${rows.toLocaleString("en")} rows in ${manifest.tables.length} tables, to ${file}.`,
    );
    return 0;
  }
  const as = values.as === undefined ? undefined : normalizeCustomerId(values.as);
  if (as !== undefined && !isCustomerId(as)) {
    console.error(`${values.as} is not a customer ID.`);
    return 2;
  }
  const result = await restoreCustomer(ownerUrl, subject, { as, replace: values.replace });
  const rows = result.tables.reduce((n, t) => n + t.rows, 0);
  console.log(
    `Restored ${rows.toLocaleString("en")} rows in ${result.tables.length} tables as ${result.customer}${result.created ? " (created)" : ""}, verified against the manifest.`,
  );
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(
    error instanceof ArchiveError ? error.message : `It failed: ${(error as Error).message}`,
  );
  process.exitCode = 1;
}
