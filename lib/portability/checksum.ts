// The content checksum of a table's rows in an archive (README, "Customer archives"; archive
// version 2): each row's line in COPY's text format (every column but the customer column,
// without its newline) is read as 32-bit little-endian words from its start, the last one
// zero-padded, each mixed into two lanes — a = imul(a ^ w, 0x5bd1e995), a ^= a >>> 15 from
// 0x9747b28c, and b = imul(b ^ w, 0x01000193), b ^= b >>> 13 from 0x811c9dc5 — then each lane
// takes the line's length in bytes (x ^= length) and murmur3's finalizer. The line's 64-bit hash
// is b then a, and the checksum is their sum modulo 2^64, in 16 hex digits. A sum does not
// depend on the order of the rows, so a table read back from the database in any order gives the
// same checksum as its file. Rows are split where memchr finds the newlines and hashed a word at a
// time, with no allocation a row: memory stays flat and the rows go at COPY's pace. The checksum
// catches damage (a flipped byte, a cut), not forgery: the archive's SHA-256 is recorded apart.
import { Transform, type TransformCallback } from "node:stream";

const TWO_32 = 2 ** 32;
const SEED_A = 0x9747b28c;
const SEED_B = 0x811c9dc5;
const FACTOR_A = 0x5bd1e995;
const FACTOR_B = 0x01000193;

/** murmur3's 32-bit finalizer. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Counts and sums the rows that flow through it, passing the bytes on unchanged. */
export class RowChecksum extends Transform {
  rows = 0;
  private high = 0;
  private low = 0;
  private a = SEED_A;
  private b = SEED_B;
  /** The row in progress: its length so far, and the bytes of a word not yet complete. */
  private length = 0;
  private word = 0;
  private wordBytes = 0;

  /** `onRows` hears the rows counted so far after each chunk (a job's progress). */
  constructor(private readonly onRows?: (rows: number) => void) {
    super();
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const newline = chunk.indexOf(10, i);
      const end = newline === -1 ? n : newline;
      this.length += end - i;
      // A word begun in an earlier chunk is completed byte by byte.
      while (this.wordBytes > 0 && i < end) {
        this.word |= chunk[i++] << (8 * this.wordBytes);
        if (++this.wordBytes === 4) {
          this.mix(this.word);
          this.word = 0;
          this.wordBytes = 0;
        }
      }
      let a = this.a;
      let b = this.b;
      for (; i + 4 <= end; i += 4) {
        const w = chunk[i] | (chunk[i + 1] << 8) | (chunk[i + 2] << 16) | (chunk[i + 3] << 24);
        a = Math.imul(a ^ w, FACTOR_A);
        a ^= a >>> 15;
        b = Math.imul(b ^ w, FACTOR_B);
        b ^= b >>> 13;
      }
      this.a = a;
      this.b = b;
      for (; i < end; i++) this.word |= chunk[i] << (8 * this.wordBytes++);
      if (newline === -1) break;
      this.endRow();
      i = newline + 1;
    }
    this.onRows?.(this.rows);
    done(null, chunk);
  }

  _flush(done: TransformCallback) {
    // A last line without its newline is a row cut short: it counts, and will not match.
    if (this.length) this.endRow();
    done();
  }

  private mix(w: number) {
    this.a = Math.imul(this.a ^ w, FACTOR_A);
    this.a ^= this.a >>> 15;
    this.b = Math.imul(this.b ^ w, FACTOR_B);
    this.b ^= this.b >>> 13;
  }

  private endRow() {
    if (this.wordBytes > 0) this.mix(this.word);
    const high = finish(this.b ^ this.length);
    const low = this.low + finish(this.a ^ this.length);
    this.low = low % TWO_32;
    this.high = (this.high + high + Math.floor(low / TWO_32)) % TWO_32;
    this.rows++;
    this.a = SEED_A;
    this.b = SEED_B;
    this.length = 0;
    this.word = 0;
    this.wordBytes = 0;
  }

  get checksum(): string {
    return this.high.toString(16).padStart(8, "0") + this.low.toString(16).padStart(8, "0");
  }
}
