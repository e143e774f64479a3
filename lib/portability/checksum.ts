// The content checksum of a table's rows in an archive (README, "Customer archives"): each row's
// line in COPY's text format (every column but the customer column, without its newline) gets a
// 64-bit hash — FNV-1a 32 as the high half; h = imul(h ^ byte, 0x5bd1e995), h ^= h >>> 15 from
// the seed 0x9747b28c as the low half — and the checksum is their sum modulo 2^64, in 16 hex
// digits. A sum does not depend on the order of the rows, so a table read back from the
// database in any order gives the same checksum as its file. The hashes run over the bytes as
// they stream, with no allocation a row: memory stays flat and the rows go at COPY's pace. They
// catch damage (a flipped byte, a cut), not forgery: the archive's SHA-256 is recorded apart.
import { Transform, type TransformCallback } from "node:stream";

const TWO_32 = 2 ** 32;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MIX_SEED = 0x9747b28c;
const MIX_FACTOR = 0x5bd1e995;

/** Counts and sums the rows that flow through it, passing the bytes on unchanged. */
export class RowChecksum extends Transform {
  rows = 0;
  private high = 0;
  private low = 0;
  private h1 = FNV_OFFSET;
  private h2 = MIX_SEED;
  /** Bytes of the row in progress (since the last newline). */
  private pending = 0;

  /** `onRows` hears the rows counted so far after each chunk (a job's progress). */
  constructor(private readonly onRows?: (rows: number) => void) {
    super();
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
    let h1 = this.h1;
    let h2 = this.h2;
    let pending = this.pending;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === 10) {
        this.add(h1, h2);
        h1 = FNV_OFFSET;
        h2 = MIX_SEED;
        pending = 0;
        continue;
      }
      h1 = Math.imul(h1 ^ byte, FNV_PRIME);
      h2 = Math.imul(h2 ^ byte, MIX_FACTOR);
      h2 ^= h2 >>> 15;
      pending++;
    }
    this.h1 = h1;
    this.h2 = h2;
    this.pending = pending;
    this.onRows?.(this.rows);
    done(null, chunk);
  }

  _flush(done: TransformCallback) {
    // A last line without its newline is a row cut short: it counts, and will not match.
    if (this.pending) this.add(this.h1, this.h2);
    done();
  }

  private add(h1: number, h2: number) {
    this.rows++;
    const low = this.low + (h2 >>> 0);
    this.low = low % TWO_32;
    this.high = (this.high + (h1 >>> 0) + Math.floor(low / TWO_32)) % TWO_32;
  }

  get checksum(): string {
    return this.high.toString(16).padStart(8, "0") + this.low.toString(16).padStart(8, "0");
  }
}
