// Exporting a customer (README, "Customer archives"): every row of the customer in every table
// of the data plane, from one consistent snapshot, each table streamed by COPY into its file
// with its count and checksum, then packed with the manifest. The rows are read as the tenant
// role under the customer's setting: the database itself keeps every other customer's rows out.
import "server-only";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { copyOut } from "@/db/copy";
import { inOwnerTransaction, withOwnerClient, type OwnerClient } from "@/db/owner";
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  ArchiveError,
  CONTROL_FILE,
  pack,
  tableFile,
  type Manifest,
} from "./archive";
import { RowChecksum } from "./checksum";
import { recordJob, type JobOptions, type Progress } from "./jobs";
import { columnList, customerTables, qualifiedName, type CustomerTable } from "./tables";

/**
 * A table's rows as the client may read them (its role and settings decide whose), in COPY's
 * text format without the customer column, into `sink` (by default nowhere): their count and
 * checksum, as an archive has them. `where` narrows them further (tests read as the owner);
 * `onRows` hears the count as it grows.
 */
export async function readTable(
  client: OwnerClient,
  t: CustomerTable,
  options: { sink?: Writable; where?: string; onRows?: (rows: number) => void } = {},
): Promise<{ rows: number; checksum: string }> {
  const sum = new RowChecksum(options.onRows);
  await copyOut(
    client,
    `select ${columnList(t.columns)} from ${qualifiedName(t)}${options.where ? ` where ${options.where}` : ""}`,
    sum,
    options.sink ?? new Writable({ write: (_c, _e, next) => next() }),
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

async function writeArchive(
  ownerUrl: string,
  customerId: string,
  file: string,
  by: string,
  progress: Progress,
): Promise<Manifest & { sha256: string }> {
  const folder = await mkdtemp(path.join(tmpdir(), "tenantry-export-"));
  try {
    const manifest = await withOwnerClient(ownerUrl, async (client) => {
      await client.query("begin isolation level repeatable read read only");
      try {
        await client.query("select set_config('app.tenant_id', $1, true)", [customerId]);
        const { rows: customers } = await client.query<{ id: string; name: string }>(
          "select id, name from control.customers where id = $1",
          [customerId],
        );
        if (!customers.length) throw new ArchiveError(`There is no customer ${customerId}.`);
        const tables = await customerTables(client);
        // The control-plane rows, in the same snapshot: the customer, its users (never their
        // password hashes), memberships and invitations (never their tokens).
        const control = await controlRows(client, customerId);
        const controlText = `${JSON.stringify(control, null, 2)}\n`;
        await writeFile(path.join(folder, CONTROL_FILE), controlText);
        const { rows: source } = await client.query<{ database: string; server: string }>(
          "select current_database() as database, current_setting('server_version') as server",
        );
        await client.query("set local role tenantry_tenant");
        await mkdir(path.join(folder, "data"));
        const written: Manifest["tables"] = [];
        progress.tables(tables.map((t) => ({ table: `${t.schema}.${t.table}` })));
        progress.step("reading the tables");
        for (const t of tables) {
          const name = `${t.schema}.${t.table}`;
          const sum = await readTable(client, t, {
            sink: createWriteStream(path.join(folder, tableFile(t))),
            onRows: (rows) => progress.table(name, rows),
          });
          progress.table(name, sum.rows, "done");
          written.push({ ...t, file: tableFile(t), rows: sum.rows, checksum: sum.checksum });
        }
        await client.query("commit");
        return {
          format: ARCHIVE_FORMAT,
          version: ARCHIVE_VERSION,
          customer: customers[0],
          exportedAt: new Date().toISOString(),
          source: source[0],
          control: {
            file: CONTROL_FILE,
            sha256: createHash("sha256").update(controlText).digest("hex"),
          },
          tables: written,
        } satisfies Manifest;
      } catch (error) {
        await client.query("rollback").catch(() => undefined);
        throw error;
      }
    });
    await writeFile(path.join(folder, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    progress.step("packing the archive");
    const digest = await pack(folder, file);
    progress.step("recording the export");
    await inOwnerTransaction(ownerUrl, async (client) => {
      await client.query("select set_config('app.tenant_id', $1, true)", [customerId]);
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
    });
    return { ...manifest, sha256: digest };
  } finally {
    // A stream cut off by a failure may still be closing its file: rm retries on ENOTEMPTY.
    await rm(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}
