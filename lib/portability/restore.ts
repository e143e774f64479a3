// Restoring a customer's archive (README, "Customer archives"), as itself or as another
// customer (a clone). The archive is checked before anything is written (archive.ts), and its
// schema fingerprint against the target's; then one transaction writes the rows table by table
// in foreign-key order and reads them back: counts and checksums equal to the manifest, or it
// rolls back. Rows go in through the tenant role under the target's setting, so the database
// gives every row the target customer and refuses any other. They go in as they were exported,
// in replica mode: the application's triggers made their rows when the rows were first written
// (a trigger that logs each insert would log each row twice), and tables that point at one
// another in a cycle cannot be written one before the other, so the foreign keys are checked
// after, for the target's rows, and the row counters mended.
import "server-only";
import { createReadStream } from "node:fs";
import path from "node:path";
import { copyIn } from "@/db/copy";
import { inOwnerTransaction, type OwnerClient } from "@/db/owner";
import {
  ArchiveError,
  checkArchive,
  withArchive,
  type ArchiveTable,
  type Manifest,
} from "./archive";
import { readTable } from "./export";
import { dataPlaneUrl } from "../placement/where";
import { recordJob, type JobOptions, type Progress } from "./jobs";
import { mendCustomerRowCounts } from "../usage/counters";
import {
  columnList,
  defaultRows,
  customerTables,
  danglingReferences,
  qualifiedName,
  type CustomerTable,
} from "./tables";

export interface RestoreOptions extends Omit<JobOptions, "kind" | "tenantId"> {
  /** Restore under this customer ID instead of the archive's: a clone. */
  as?: string;
  /** Erase the target's rows first, in the same transaction. */
  replace?: boolean;
}

export interface RestoreResult {
  customer: string;
  created: boolean;
  tables: { schema: string; table: string; rows: number }[];
}

/** Why the archive's tables do not fit the target's, table and column named; empty when they do. */
export function incompatibilities(archive: ArchiveTable[], target: CustomerTable[]): string[] {
  const problems: string[] = [];
  const byName = new Map(target.map((t) => [`${t.schema}.${t.table}`, t]));
  for (const a of archive) {
    const t = byName.get(`${a.schema}.${a.table}`);
    if (!t) {
      problems.push(`${a.schema}.${a.table} is in the archive but not a customer table here.`);
      continue;
    }
    const here = new Map(t.columns.map((c) => [c.name, c]));
    for (const c of a.columns) {
      const mine = here.get(c.name);
      if (!mine)
        problems.push(`${a.schema}.${a.table} has no column ${c.name} here; the archive has it.`);
      else if (mine.type !== c.type)
        problems.push(
          `${a.schema}.${a.table}.${c.name} is ${mine.type} here and ${c.type} in the archive.`,
        );
    }
    for (const c of t.columns.filter(
      (x) => x.required && !a.columns.some((y) => y.name === x.name),
    ))
      problems.push(
        `${a.schema}.${a.table}.${c.name} is required here (NOT NULL, no default) and missing from the archive.`,
      );
  }
  return problems;
}

/** Restores `file` as a recorded job of the target customer (once the archive's manifest names it). */
export function restoreCustomer(
  ownerUrl: string,
  file: string,
  options: RestoreOptions,
): Promise<RestoreResult> {
  return withArchive(file, (folder, manifest) =>
    recordJob(
      ownerUrl,
      { ...options, kind: "restore", tenantId: options.as ?? manifest.customer.id },
      (progress) => restoreArchive(ownerUrl, folder, manifest, options, progress),
      (result) => ({
        rows: result.tables.reduce((n, t) => n + t.rows, 0),
        tables: result.tables.length,
        from: manifest.customer.id,
        exportedAt: manifest.exportedAt,
        created: result.created,
        replace: options.replace === true,
      }),
    ),
  );
}

async function restoreArchive(
  ownerUrl: string,
  folder: string,
  manifest: Manifest,
  options: RestoreOptions,
  progress: Progress,
): Promise<RestoreResult> {
  progress.tables(manifest.tables.map((t) => ({ table: `${t.schema}.${t.table}`, of: t.rows })));
  progress.step("checking the archive");
  await checkArchive(folder, manifest);
  // Into the database the customer lives in (docs/architecture.md §13); a customer not yet
  // created starts on the primary, created there in the same transaction as its rows.
  const target = options.as ?? manifest.customer.id;
  const dataUrl = await dataPlaneUrl(ownerUrl, target);
  return inOwnerTransaction(dataUrl, async (client) => {
    const tables = await customerTables(client);
    const problems = incompatibilities(manifest.tables, tables);
    if (problems.length)
      throw new ArchiveError(
        `The archive does not fit this database: ${problems.join(" ")} Nothing was written.`,
      );
    // The archive's tables in this database's foreign-key order.
    const order = tables
      .map((t) => manifest.tables.find((a) => a.schema === t.schema && a.table === t.table))
      .filter((a): a is ArchiveTable => a !== undefined);

    await client.query("select set_config('app.tenant_id', $1, true)", [target]);
    const created =
      dataUrl === ownerUrl &&
      (await ensureCustomer(client, target, manifest, options.as !== undefined));

    // Each table's file into a staging table first: COPY cannot write where row-level security
    // applies. The tenant role then inserts from it, under the target's setting.
    progress.step("loading the archive's tables");
    for (const [i, t] of order.entries()) {
      if (t.columns.length === 0) continue; // its rows are only counted (defaultRows)
      const staging = `pg_temp.restore_${i}`;
      await client.query(
        `create temporary table restore_${i} on commit drop as select ${columnList(t.columns)} from ${qualifiedName(t)} with no data`,
      );
      await copyIn(
        client,
        `${staging} (${columnList(t.columns)})`,
        createReadStream(path.join(folder, t.file)),
      );
      await client.query(`grant select on ${staging} to tenantry_tenant`);
    }
    // The owner's to set, before the role changes: no trigger of the application, nor a
    // foreign key's check row by row, for the rest of this transaction.
    await client.query("set local session_replication_role = replica");
    await client.query("set local role tenantry_tenant");
    const existing: string[] = [];
    for (const t of order) {
      const { rows } = await client.query<{ n: string }>(
        `select count(*) as n from ${qualifiedName(t)}`,
      );
      if (Number(rows[0].n) > 0) existing.push(`${t.schema}.${t.table} (${rows[0].n})`);
    }
    if (existing.length && !options.replace)
      throw new ArchiveError(
        `${target} has rows already in ${existing.length} tables (${existing.slice(0, 3).join(", ")}${existing.length > 3 ? ", …" : ""}): a restore refuses them unless asked to replace them (--replace), which erases them first in the same transaction. Nothing was written.`,
      );
    progress.step("writing the rows");
    for (const t of [...order].reverse()) await client.query(`delete from ${qualifiedName(t)}`);
    for (const [i, t] of order.entries()) {
      // As they were: identity values too (OVERRIDING SYSTEM VALUE, for GENERATED ALWAYS); a
      // generated column is computed again, and read back with the rest.
      const columns = columnList(writable(t, tables));
      await client.query(
        t.columns.length === 0
          ? defaultRows(t, t.rows)
          : `insert into ${qualifiedName(t)} (${columns}) overriding system value select ${columns} from pg_temp.restore_${i}`,
      );
      progress.table(`${t.schema}.${t.table}`, t.rows);
    }

    const dangling = await danglingReferences(client, order);
    if (dangling.length)
      throw new ArchiveError(
        `Rows of the archive point at rows it does not have: ${dangling.join(", ")}. The restore was rolled back.`,
      );
    // Read back as the target: the same rows and content as the archive, or nothing at all.
    progress.step("verifying the rows against the manifest");
    for (const t of order) {
      const sum = await readTable(client, t);
      if (sum.rows !== t.rows || sum.checksum !== t.checksum)
        throw new ArchiveError(
          `${t.schema}.${t.table} reads back ${sum.rows} rows with checksum ${sum.checksum} after the restore; the archive has ${t.rows} with ${t.checksum}. The restore was rolled back.`,
        );
      progress.table(`${t.schema}.${t.table}`, sum.rows, "done");
    }
    // The counting triggers did not run either: the target's counts, mended as the owner.
    await client.query("reset role");
    await mendCustomerRowCounts(client, target);
    return {
      customer: target,
      created,
      tables: order.map((t) => ({ schema: t.schema, table: t.table, rows: t.rows })),
    };
  });
}

/** The archive table's columns that the target's table lets a row give: not its generated ones. */
function writable(t: ArchiveTable, target: CustomerTable[]) {
  const here = target.find((x) => x.schema === t.schema && x.table === t.table)!;
  const generated = new Set(here.columns.filter((c) => c.generated).map((c) => c.name));
  return t.columns.filter((c) => !generated.has(c.name));
}

/** The target customer, created when missing (a clone is named after the original). */
async function ensureCustomer(
  client: OwnerClient,
  id: string,
  manifest: Manifest,
  clone: boolean,
): Promise<boolean> {
  const { rowCount } = await client.query(
    `insert into control.customers (id, name, status, contact_email)
     values ($1, $2, 'active', 'unknown@example.invalid') on conflict (id) do nothing`,
    [id, clone ? `${manifest.customer.name} (copy)` : manifest.customer.name],
  );
  return rowCount === 1;
}
