// The archive checksum as the README defines it: computed here line by line from its definition,
// it equals what the stream computes however the bytes are cut into chunks; row order does not
// change it; one flipped byte does.
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { RowChecksum } from "./checksum";

/** murmur3's 32-bit finalizer. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The definition, for one line of bytes: [high, low]. */
function lineHash(line: Buffer): [number, number] {
  let a = 0x9747b28c;
  let b = 0x811c9dc5;
  const padded = Buffer.concat([line, Buffer.alloc((4 - (line.length % 4)) % 4)]);
  for (let i = 0; i < padded.length; i += 4) {
    const w = padded.readInt32LE(i);
    a = Math.imul(a ^ w, 0x5bd1e995);
    a ^= a >>> 15;
    b = Math.imul(b ^ w, 0x01000193);
    b ^= b >>> 13;
  }
  return [fmix(b ^ line.length), fmix(a ^ line.length)];
}
function byDefinition(lines: string[]): string {
  let sum = 0n;
  for (const l of lines) {
    const [h1, h2] = lineHash(Buffer.from(l));
    sum = (sum + (BigInt(h1) << 32n) + BigInt(h2)) % (1n << 64n);
  }
  return sum.toString(16).padStart(16, "0");
}
async function streamed(chunks: Buffer[]) {
  const sum = new RowChecksum();
  await pipeline(Readable.from(chunks), sum, new Writable({ write: (_c, _e, next) => next() }));
  return { rows: sum.rows, checksum: sum.checksum };
}

const lines = Array.from(
  { length: 500 },
  (_, i) => `${i}\tcustomer ${"x".repeat(i % 7)}\tt\\tab\t2024-01-0${i % 9} 00:00:00+00\t\\N`,
);
const text = Buffer.from(lines.map((l) => `${l}\n`).join(""));

describe("the archive checksum", () => {
  it("is the definition's, however the stream is cut", async () => {
    const expected = { rows: 500, checksum: byDefinition(lines) };
    expect(await streamed([text])).toEqual(expected);
    const cuts = [1, 7, 64, 1000].map((size) =>
      Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
        text.subarray(i * size, i * size + size),
      ),
    );
    for (const chunks of cuts) expect(await streamed(chunks)).toEqual(expected);
  });

  it("does not depend on the rows' order, and changes with one flipped byte or a cut", async () => {
    const reversed = Buffer.from(
      [...lines]
        .reverse()
        .map((l) => `${l}\n`)
        .join(""),
    );
    expect((await streamed([reversed])).checksum).toBe(byDefinition(lines));
    const flipped = Buffer.from(text);
    flipped[100] ^= 0x01;
    expect((await streamed([flipped])).checksum).not.toBe(byDefinition(lines));
    const cut = await streamed([text.subarray(0, text.length - 5)]);
    expect(cut.rows).toBe(500);
    expect(cut.checksum).not.toBe(byDefinition(lines));
  });
});
