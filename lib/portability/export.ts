// Exporting a customer (README, "Customer archives"): every row of the customer in every table
// of the data plane, from one consistent snapshot, each table streamed by COPY into its entry of
// the archive with its count and checksum, then the manifest. The rows are read as the tenant
// role under the customer's setting: the database itself keeps every other customer's rows out.
import "server-only";
import { createHash } from "node:crypto";
import type { Writable } from "node:stream";
import { copyOut, nowhere, type Pace } from "@/db/copy";
import { withOwnerClient, type OwnerClient } from "@/db/owner";
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  ArchiveError,
  CONTROL_FILE,
  ArchiveWriter,
  MANIFEST_FILE,
  tableFile,
  type Manifest,
} from "./archive";
import { dataPlaneUrl } from "../placement/where";
import { RowChecksum } from "./checksum";
import { recordJob, type JobOptions, type Progress } from "./jobs";
import { columnList, customerTables, qualifiedName, type CustomerTable } from "./tables";

/**
 * A table's rows as the client may read them (its role and settings decide whose), in COPY's
 * text format without the customer column, into `sink` (by default nowhere): their count and
 * checksum, as an archive has them. `where` narrows them further (tests read as the owner);
 * `onRows` hears the count as it grows; `pace` holds the read to its rate.
 */
export async function readTable(
  client: OwnerClient,
  t: CustomerTable,
  options: {
    sink?: Writable;
    where?: string;
    onRows?: (rows: number) => void;
    pace?: Pace | null;
  } = {},
): Promise<{ rows: number; checksum: string }> {
  const sum = new RowChecksum(options.onRows);
  await copyOut(
    client,
    `select ${columnList(t.columns)} from ${qualifiedName(t)}${options.where ? ` where ${options.where}` : ""}`,
    sum,
    ...(options.pace ? [options.pace.stage()] : []),
    options.sink ?? nowhere(),
  );
  return { rows: sum.rows, checksum: sum.checksum };
}

/** The customer's control-plane rows, as the archive's control.json holds them. */
async function controlRows(client: OwnerClient, customerId: string) {
  const rows = async (text: string) => (await client.query(text, [customerId])).rows;
  return {
    customer: (
      await rows(
        "select id, name, status, plan, contact_email, settings, quota_overrides, created_at, trial_ends_at from control.customers where id = $1",
      )
    )[0],
    users: await rows(
      "select u.id, u.email, u.display_name, u.status, u.created_at from control.users u join control.memberships m on m.user_id = u.id where m.tenant_id = $1 order by u.email",
    ),
    memberships: await rows(
      "select user_id, role, created_at from control.memberships where tenant_id = $1 order by created_at, user_id",
    ),
    invites: await rows(
      "select id, email, role, created_at, expires_at, accepted_at, revoked_at from control.invites where tenant_id = $1 order by created_at, id",
    ),
  };
}

export interface ExportOptions extends Omit<JobOptions, "kind" | "tenantId"> {
  /** A scheduled backup is recorded as one; anything else is an export. */
  kind?: "export" | "backup";
}

/**
 * Writes the customer's archive to `file` (gzipped when its name ends in .gz) as a recorded job,
 * records the export (who, when, the archive's SHA-256: an erase needs a recent one) and returns
 * its manifest and that hash.
 */
export function exportCustomer(
  ownerUrl: string,
  customerId: string,
  file: string,
  options: ExportOptions,
): Promise<Manifest & { sha256: string }> {
  return recordJob(
    ownerUrl,
    { ...options, kind: options.kind ?? "export", tenantId: customerId },
    (progress) => writeArchive(ownerUrl, customerId, file, options.by, progress),
    (manifest) => ({
      rows: manifest.tables.reduce((n, t) => n + t.rows, 0),
      tables: manifest.tables.length,
      sha256: manifest.sha256,
    }),
  );
}

/** Every customer table's rows into the archive, read as the tenant role under the setting. */
async function readDataPlane(client: OwnerClient, archive: ArchiveWriter, progress: Progress) {
  const tables = await customerTables(client);
  const { rows } = await client.query<{ database: string; server: string }>(
    "select current_database() as database, current_setting('server_version') as server",
  );
  await client.query("set local role tenantry_tenant");
  const written: Manifest["tables"] = [];
  progress.tables(tables.map((t) => ({ table: `${t.schema}.${t.table}` })));
  progress.step("reading the tables");
  for (const t of tables) {
    const name = `${t.schema}.${t.table}`;
    const sum = await archive.entry(tableFile(t), (sink) =>
      readTable(client, t, { sink, onRows: (rows) => progress.table(name, rows) }),
    );
    progress.table(name, sum.rows, "done");
    written.push({ ...t, file: tableFile(t), rows: sum.rows, checksum: sum.checksum });
  }
  await client.query("reset role");
  return { source: rows[0], written };
}

async function writeArchive(
  ownerUrl: string,
  customerId: string,
  file: string,
  by: string,
  progress: Progress,
): Promise<Manifest & { sha256: string }> {
  const archive = await ArchiveWriter.create(file);
  try {
    return await withOwnerClient(ownerUrl, async (client) => {
      let manifest: Manifest;
      await client.query("begin isolation level repeatable read read only");
      try {
        await client.query("select set_config('app.tenant_id', $1, true)", [customerId]);
        const { rows: customers } = await client.query<{ id: string; name: string }>(
          "select id, name from control.customers where id = $1",
          [customerId],
        );
        if (!customers.length) throw new ArchiveError(`There is no customer ${customerId}.`);
        // The control-plane rows, in the same snapshot: the customer, its users (never their
        // password hashes), memberships and invitations (never their tokens).
        const controlText = `${JSON.stringify(await controlRows(client, customerId), null, 2)}\n`;
        await archive.text(CONTROL_FILE, controlText);
        // The data plane where the customer lives: this snapshot on the primary, or one of its
        // own on the customer's database (docs/architecture.md §13).
        const dataUrl = await dataPlaneUrl(ownerUrl, customerId);
        const { source, written } = await (dataUrl === ownerUrl
          ? readDataPlane(client, archive, progress)
          : withOwnerClient(dataUrl, async (data) => {
              await data.query("begin isolation level repeatable read read only");
              try {
                await data.query("select set_config('app.tenant_id', $1, true)", [customerId]);
                return await readDataPlane(data, archive, progress);
              } finally {
                await data.query("rollback");
              }
            }));
        await client.query("commit");
        manifest = {
          format: ARCHIVE_FORMAT,
          version: ARCHIVE_VERSION,
          customer: customers[0],
          exportedAt: new Date().toISOString(),
          source,
          control: {
            file: CONTROL_FILE,
            sha256: createHash("sha256").update(controlText).digest("hex"),
          },
          tables: written,
        };
      } catch (error) {
        await client.query("rollback").catch(() => undefined);
        throw error;
      }
      await archive.text(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
      progress.step("finishing the archive");
      const digest = await archive.finish();
      progress.step("recording the export");
      // Outside the snapshot's transaction, on a connection that closes next.
      await client.query("select set_config('app.tenant_id', $1, false)", [customerId]);
      await client.query(
        "insert into control.customer_exports (tenant_id, created_by, sha256, rows, tables) values ($1, $2, $3, $4, $5)",
        [
          customerId,
          by,
          digest,
          manifest.tables.reduce((n, t) => n + t.rows, 0),
          manifest.tables.length,
        ],
      );
      return { ...manifest, sha256: digest };
    });
  } catch (error) {
    // Nothing half-written is left behind.
    await archive.abandon();
    throw error;
  }
}
