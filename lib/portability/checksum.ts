// The content checksum of a table's rows in an archive (README, "Customer archives"): the sum,
// modulo 2^64, of the first 8 bytes of each row's SHA-256, over the row's line in COPY's text
// format without the customer column. A sum does not depend on the order of the rows, so a
// table read back from the database in any order gives the same checksum as its file.
import { hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

const TWO_32 = 2 ** 32;

/** Counts and sums the rows that flow through it, passing the bytes on unchanged. */
export class RowChecksum extends Transform {
  rows = 0;
  // The 64-bit sum as two 32-bit halves in plain numbers: a BigInt a row costs more than the hash.
  private high = 0;
  private low = 0;
  private rest: Buffer = Buffer.alloc(0);

  _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
    let data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    for (let end = data.indexOf(10); end >= 0; end = data.indexOf(10)) {
      this.add(data.subarray(0, end));
      data = data.subarray(end + 1);
    }
    this.rest = Buffer.from(data);
    done(null, chunk);
  }

  _flush(done: TransformCallback) {
    // A last line without its newline is a row cut short: it counts, and will not match.
    if (this.rest.length) this.add(this.rest);
    done();
  }

  private add(line: Buffer) {
    this.rows++;
    // crypto.hash: one call a row, no hash object to make (about twice as fast for short lines).
    const digest = hash("sha256", line, "buffer");
    const low = this.low + digest.readUInt32BE(4);
    this.low = low % TWO_32;
    this.high = (this.high + digest.readUInt32BE(0) + Math.floor(low / TWO_32)) % TWO_32;
  }

  get checksum(): string {
    return this.high.toString(16).padStart(8, "0") + this.low.toString(16).padStart(8, "0");
  }
}
