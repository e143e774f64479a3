// A customer archive (README, "Customer archives"): a tar (gzipped when its name ends in .gz) of manifest.json, control.json and one file
// per table in COPY's text format, readable with tar, zcat and psql's \copy. The manifest names
// the customer, the time, the source database, and per table its columns and types, its rows
// and their content checksum (checksum.ts).
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Transform, Writable } from "node:stream";
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

/** Whether an archive of this name is gzipped: a name ending in .gz. */
export const gzipped = (file: string) => file.endsWith(".gz");

/**
 * Packs the folder (manifest.json, control.json and data/) into `file`, gzipped when its name
 * ends in .gz; the archive's SHA-256, taken as it is written.
 */
export async function pack(folder: string, file: string): Promise<string> {
  const sha256 = createHash("sha256");
  // Level 1: most of gzip's saving on rows of text, at a fraction of its time.
  const packed = tar.c(
    { cwd: folder, portable: true, ...(gzipped(file) ? { gzip: { level: 1 } } : {}) },
    ["manifest.json", CONTROL_FILE, "data"],
  );
  await pipeline(
    packed,
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sha256.update(chunk);
        done(null, chunk);
      },
    }),
    createWriteStream(file),
  );
  return sha256.digest("hex");
}

/**
 * Unpacks `file` into a temporary folder and reads its manifest; `work` gets the folder and the
 * manifest, and the folder is removed afterwards. Nothing is checked but that it is an archive:
 * checkArchive does the rest.
 */
export async function withArchive<T>(
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
    return await work(folder, manifest);
  } finally {
    // An extraction cut off may still be closing its files: rm retries on ENOTEMPTY.
    await rm(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}

/**
 * Checks an unpacked archive against its manifest before anything is written anywhere: the
 * control file's hash, and every table's file there with the rows and checksum the manifest says.
 */
export async function checkArchive(
  folder: string,
  manifest: Manifest,
  onTable: (table: string, rows: number) => void = () => undefined,
): Promise<void> {
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
    onTable(`${t.schema}.${t.table}`, sum.rows);
  }
}

/** `work` on an unpacked archive once checkArchive has found it whole. */
export function withCheckedArchive<T>(
  file: string,
  work: (folder: string, manifest: Manifest) => Promise<T>,
): Promise<T> {
  return withArchive(file, async (folder, manifest) => {
    await checkArchive(folder, manifest);
    return work(folder, manifest);
  });
}
