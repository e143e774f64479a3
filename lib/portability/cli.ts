// npm run customer -- export <ID> [--out FILE] | restore FILE [--into VAR] [--as ID] [--replace]
//                     | erase <ID> [--without-export] [--certificate FILE] | backup
// export: the customer's archive (README, "Customer archives") from the database in
// DATABASE_URL, to FILE (default <ID>-<time>.tar; a FILE ending in .gz is gzipped). restore: checks the archive, then writes
// it in one transaction, verified against its manifest, as the archive's customer or as
// another (--as: a clone, created if missing); a customer with rows is refused unless --replace.
// erase: a customer in offboarding with an export from the last ERASE_REQUIRES_EXPORT_DAYS
// (unless --without-export), row by row in batches; writes the certificate to FILE.
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { osUser } from "@/lib/auth/super-admins";
import { isCustomerId, normalizeCustomerId } from "@/lib/customers/ids";
import { ArchiveError } from "./archive";
import { backupSettings, runDueBackups } from "./backups";
import { EraseError, eraseCustomer } from "./erase";
import { exportCustomer } from "./export";
import { restoreCustomer } from "./restore";

const USAGE =
  "Usage: npm run customer -- export <ID> [--out FILE] | restore FILE [--into VAR] [--as ID] [--replace] | erase <ID> [--without-export] [--certificate FILE] | backup";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: "string" },
      as: { type: "string" },
      replace: { type: "boolean", default: false },
      "without-export": { type: "boolean", default: false },
      certificate: { type: "string" },
      into: { type: "string" },
    },
  });
  const [verb, subject] = positionals;
  const ownerUrl = process.env.DATABASE_URL;
  if (!["export", "restore", "erase", "backup"].includes(verb) || (!subject && verb !== "backup")) {
    console.error(USAGE);
    return 2;
  }
  if (!ownerUrl) {
    console.error(
      `customer ${verb} works as the owner: set DATABASE_URL to the owner's connection string.`,
    );
    return 2;
  }
  if (verb === "backup") {
    // The scheduled backups, now: every customer due one (BACKUP_EVERY_HOURS, BACKUP_DIR, BACKUP_RETENTION).
    const run = await runDueBackups(ownerUrl, backupSettings());
    if (run.skipped) console.log("Another console is making backups; this run skipped.");
    for (const m of run.made)
      console.log(
        `${m.customer}: ${m.file}${m.verified ? ", verified" : `, NOT verified: ${m.error}`}`,
      );
    console.log(`${run.made.length} backups made, ${run.pruned} old ones removed.`);
    return run.made.every((m) => m.verified) ? 0 : 1;
  }
  const by = `command line (${osUser()})`;
  const id = normalizeCustomerId(subject);
  if (verb !== "restore" && !isCustomerId(id)) {
    console.error(`${subject} is not a customer ID.`);
    return 2;
  }
  if (verb === "erase") {
    const certificate = await eraseCustomer(ownerUrl, id, {
      by,
      withoutExport: values["without-export"],
      onProgress: (t) => process.stdout.write(`\r${t.table}: ${t.rows} of ${t.of} rows erased   `),
    });
    const file = values.certificate ?? `${id}-erase-certificate.json`;
    await writeFile(file, `${JSON.stringify(certificate, null, 2)}\n`);
    const rows = certificate.tables.reduce((n, t) => n + t.before, 0);
    console.log(
      `\nErased ${certificate.customer.name} (${id}): ${rows.toLocaleString("en")} rows in ${certificate.tables.length} tables, and its memberships and invitations. The certificate is in ${file} and the audit log.`,
    );
    return 0;
  }
  if (verb === "export") {
    const file = values.out ?? `${id}-${new Date().toISOString().replace(/[:.]/g, "-")}.tar`;
    const manifest = await exportCustomer(ownerUrl, id, file, {
      by,
      onProgress: (t) =>
        t.state === "done" && console.log(`${t.table}: ${t.rows.toLocaleString("en")} rows`),
    });
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
  // Another database: the environment variable that holds its owner's URL (never the URL itself
  // on a command line, where its password would stay in the shell's history).
  let target = ownerUrl;
  if (values.into) {
    const url = process.env[values.into];
    if (!url || !/^postgres(ql)?:\/\//.test(url)) {
      console.error(
        `--into names an environment variable holding the target database's owner URL; ${values.into} holds none.`,
      );
      return 2;
    }
    target = url;
  }
  const result = await restoreCustomer(target, subject, {
    by,
    as,
    replace: values.replace,
    onProgress: (t) =>
      t.state === "done" && console.log(`${t.table}: ${t.rows.toLocaleString("en")} rows verified`),
  });
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
    error instanceof ArchiveError || error instanceof EraseError
      ? error.message
      : `It failed: ${(error as Error).message}`,
  );
  process.exitCode = 1;
}
