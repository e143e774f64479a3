// A customer archive (README, "Customer archives"): a tar (gzipped when its name ends in .gz) of manifest.json, control.json and one file
// per table in COPY's text format, readable with tar, zcat and psql's \copy. The manifest names
// the customer, the time, the source database, and per table its columns and types, its rows
// and their content checksum (checksum.ts).
import { createHash } from "node:crypto";
import { close, createReadStream, createWriteStream, open, write } from "node:fs";
import { mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { once } from "node:events";
import { PassThrough, Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGzip } from "node:zlib";
import * as tar from "tar";
import { Header, Pax } from "tar";
import { nowhere } from "@/db/copy";
import { RowChecksum } from "./checksum";
import type { CustomerTable } from "./tables";
import { processAlive } from "../processes";

export const ARCHIVE_FORMAT = "tenantry-customer-archive";
export const ARCHIVE_VERSION = 2;

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
export const MANIFEST_FILE = "manifest.json";

export class ArchiveError extends Error {}

/** The file of a table inside the archive. */
export const tableFile = (t: { schema: string; table: string }) =>
  `data/${t.schema}.${t.table}.copy`;

/** Whether an archive of this name is gzipped: a name ending in .gz. */
export const gzipped = (file: string) => file.endsWith(".gz");

/**
 * A customer archive being written to `file`, straight from the streams that make its entries:
 * a plain tar written in place (node-tar encodes the headers), each entry's header written after
 * its data at the place kept for it, since a COPY's size is known only at its end — no temporary
 * files, and each byte written once. Each finished entry is final, so a follower reads it back
 * (from the page cache) while the next entry is written: into the SHA-256 and, for a name ending
 * in .gz, through gzip (level 1: most of gzip's saving on rows of text, at a fraction of its
 * time) into `file`, the tar then being a temporary file beside it. `finish` answers the
 * archive's SHA-256; `abandon` removes what was written.
 */
export class ArchiveWriter {
  private offset = 0;
  /** How far the follower has been given the tar, and its work so far. */
  private followed = 0;
  private following: Promise<void> = Promise.resolve();
  private readonly sha256 = createHash("sha256");
  private readonly follower = new PassThrough();
  private readonly followed$: Promise<void>;

  private constructor(
    private readonly file: string,
    /** Where the archive is written until it is whole; renamed to `file` then. */
    private readonly partial: string,
    private readonly tarFile: string,
    private readonly fd: number,
  ) {
    const sha256 = this.sha256;
    const hashed = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sha256.update(chunk);
        done(null, chunk);
      },
    });
    this.followed$ =
      tarFile === partial
        ? pipeline(this.follower, hashed, nowhere())
        : pipeline(this.follower, createGzip({ level: 1 }), hashed, createWriteStream(partial));
    // A failure is answered by finish; until then it must not go unhandled.
    this.followed$.catch(() => undefined);
  }

  /**
   * Writes under a name of this process's (`<file>.<pid>.partial`) until the archive is whole, so
   * a process killed mid-way leaves no half archive under the archive's name; what such a
   * process left in the folder goes first.
   */
  static async create(file: string): Promise<ArchiveWriter> {
    await sweepPartials(path.dirname(file));
    const partial = `${file}.${process.pid}.partial`;
    const tarFile = gzipped(file) ? `${file}.${process.pid}.tar.partial` : partial;
    return new ArchiveWriter(file, partial, tarFile, await openFile(tarFile, "w"));
  }

  /** An entry whose bytes `write` streams into the sink it is given, ending it; its result. */
  async entry<T>(name: string, write: (sink: Writable) => Promise<T>): Promise<T> {
    const start = this.offset;
    const fields = {
      path: name,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      type: "File" as const,
    };
    // A name too long for the header goes before it in a PAX header of its own.
    const pax = new Header({ ...fields, size: 0 }).encode()
      ? new Pax({ path: name }).encode()
      : Buffer.alloc(0);
    const dataAt = start + pax.length + 512;
    // On the file's descriptor, left open: a FileHandle's stream would hold its close back.
    const sink = createWriteStream("", {
      fd: this.fd,
      start: dataAt,
      autoClose: false,
      highWaterMark: 1 << 20,
    });
    const result = await write(sink);
    const size = sink.bytesWritten;
    // A size beyond the header's octal digits is written in base-256, as GNU tar reads it.
    const header = new Header({ ...fields, size });
    header.encode();
    const padding = (512 - (size % 512)) % 512;
    await writeAt(this.fd, Buffer.concat([pax, header.block!]), 0, pax.length + 512, start);
    if (padding) await writeAt(this.fd, Buffer.alloc(padding), 0, padding, dataAt + size);
    this.offset = dataAt + size + padding;
    this.follow();
    return result;
  }

  /** An entry of a few bytes held in memory (the manifest, the control rows). */
  text(name: string, text: string): Promise<void> {
    return this.entry(name, (sink) => pipeline(Readable.from([Buffer.from(text)]), sink));
  }

  /** Gives the follower the tar up to where it is final, after what it was given before. */
  private follow() {
    const [from, to] = [this.followed, this.offset];
    this.followed = to;
    this.following = this.following.then(async () => {
      for await (const chunk of createReadStream(this.tarFile, { start: from, end: to - 1 })) {
        if (this.follower.destroyed) throw new Error("the archive was abandoned");
        if (!this.follower.write(chunk)) await once(this.follower, "drain");
      }
    });
    // A failure is answered by finish or abandon; until then it must not go unhandled.
    this.following.catch(() => undefined);
  }

  /** Ends the archive (two empty blocks) and answers its SHA-256. */
  async finish(): Promise<string> {
    await writeAt(this.fd, Buffer.alloc(1024), 0, 1024, this.offset);
    this.offset += 1024;
    this.follow();
    await this.following;
    this.follower.end();
    await this.followed$;
    await closeFile(this.fd);
    if (this.tarFile !== this.partial) await rm(this.tarFile, { force: true });
    await rename(this.partial, this.file);
    return this.sha256.digest("hex");
  }

  async abandon(): Promise<void> {
    // With an error, so a follower waiting for the stream to drain stops waiting.
    this.follower.destroy(new Error("the archive was abandoned"));
    await this.following.catch(() => undefined);
    await this.followed$.catch(() => undefined);
    await closeFile(this.fd).catch(() => undefined);
    await rm(this.tarFile, { force: true });
    await rm(this.partial, { force: true });
  }
}

/** Removes the partial archives in `folder` of processes that are gone (killed mid-way). */
async function sweepPartials(folder: string) {
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(/\.(\d+)(?:\.tar)?\.partial$/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !processAlive(pid))
      await rm(path.join(folder, name), { force: true });
  }
}

const openFile = promisify(open);
const writeAt = promisify(write);
const closeFile = promisify(close);

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
      // Read a megabyte at a time (node-tar's default is 16): memory stays flat.
      await tar.x({ file, cwd: folder, strict: true, maxReadSize: 1 << 20 });
    } catch (error) {
      throw new ArchiveError(
        `${path.basename(file)} is not a readable customer archive (${(error as Error).message}): it is damaged or cut short. Nothing was written.`,
      );
    }
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await readFile(path.join(folder, MANIFEST_FILE), "utf8"));
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
      await pipeline(createReadStream(path.join(folder, t.file)), sum, nowhere());
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
