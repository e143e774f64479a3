// A customer archive (README, "Customer archives"): a gzipped tar of manifest.json, control.json and one file
// per table in COPY's text format, readable with tar, zcat and psql's \copy. The manifest names
// the customer, the time, the source database, and per table its columns and types, its rows
// and their content checksum (checksum.ts).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import { RowChecksum } from "./checksum";
import type { CustomerTable } from "./tables";

export const ARCHIVE_FORMAT = "tenantry-customer-archive";
export const ARCHIVE_VERSION = 1;

export interface ArchiveTable extends CustomerTable {
  file: string;
  rows: number;
  checksum: string;
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  customer: { id: string; name: string };
  exportedAt: string;
  source: { database: string; server: string };
  /** The control-plane rows (customer, users, memberships, invitations) and their file's SHA-256. */
  control: { file: string; sha256: string };
  tables: ArchiveTable[];
}

export const CONTROL_FILE = "control.json";

export class ArchiveError extends Error {}

/** The file of a table inside the archive. */
export const tableFile = (t: { schema: string; table: string }) =>
  `data/${t.schema}.${t.table}.copy`;

/** Packs the folder (manifest.json, control.json and data/) into `file`. */
export async function pack(folder: string, file: string) {
  // Level 1: most of gzip's saving on rows of text, at a fraction of its time.
  await tar.c({ gzip: { level: 1 }, file, cwd: folder, portable: true }, [
    "manifest.json",
    CONTROL_FILE,
    "data",
  ]);
}

/**
 * Unpacks `file` into a temporary folder and checks it against its manifest before anything is
 * written anywhere: every table's file there, with the rows and checksum the manifest says.
 * `work` gets the folder and the manifest; the folder is removed afterwards.
 */
export async function withCheckedArchive<T>(
  file: string,
  work: (folder: string, manifest: Manifest) => Promise<T>,
): Promise<T> {
  const folder = await mkdtemp(path.join(tmpdir(), "tenantry-restore-"));
  try {
    try {
      await tar.x({ file, cwd: folder, strict: true });
    } catch (error) {
      throw new ArchiveError(
        `${path.basename(file)} is not a readable customer archive (${(error as Error).message}): it is damaged or cut short. Nothing was written.`,
      );
    }
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await readFile(path.join(folder, "manifest.json"), "utf8"));
    } catch {
      throw new ArchiveError(
        `${path.basename(file)} has no readable manifest.json: it is not a customer archive, or it is damaged. Nothing was written.`,
      );
    }
    if (manifest.format !== ARCHIVE_FORMAT || manifest.version !== ARCHIVE_VERSION)
      throw new ArchiveError(
        `${path.basename(file)} is not a customer archive of version ${ARCHIVE_VERSION}. Nothing was written.`,
      );
    const control = createHash("sha256");
    try {
      await pipeline(createReadStream(path.join(folder, manifest.control.file)), control);
    } catch {
      throw new ArchiveError(
        `The archive has no ${CONTROL_FILE}: it is damaged. Nothing was written.`,
      );
    }
    if (control.digest("hex") !== manifest.control.sha256)
      throw new ArchiveError(
        `The archive's ${CONTROL_FILE} does not match its manifest: the archive is damaged. Nothing was written.`,
      );
    for (const t of manifest.tables) {
      const sum = new RowChecksum();
      try {
        await pipeline(
          createReadStream(path.join(folder, t.file)),
          sum,
          new Writable({ write: (_c, _e, next) => next() }),
        );
      } catch {
        throw new ArchiveError(
          `The archive has no file for ${t.schema}.${t.table}: it is damaged. Nothing was written.`,
        );
      }
      if (sum.rows !== t.rows || sum.checksum !== t.checksum)
        throw new ArchiveError(
          `${t.schema}.${t.table} in the archive has ${sum.rows} rows with checksum ${sum.checksum}; its manifest says ${t.rows} rows with checksum ${t.checksum}: the archive is damaged. Nothing was written.`,
        );
    }
    return await work(folder, manifest);
  } finally {
    // An extraction cut off may still be closing its files: rm retries on ENOTEMPTY.
    await rm(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}
