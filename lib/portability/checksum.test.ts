// The archive checksum as the README defines it: computed here line by line from its definition,
// it equals what the stream computes however the bytes are cut into chunks; row order does not
// change it; one flipped byte does.
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { RowChecksum } from "./checksum";

/** The definition, for one line of bytes: [FNV-1a 32, the mix]. */
function lineHash(line: Buffer): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (const byte of line) {
    h1 = Math.imul(h1 ^ byte, 0x01000193);
    h2 = Math.imul(h2 ^ byte, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return [h1 >>> 0, h2 >>> 0];
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
  (_, i) => `${i}\tcustomer ${i}\tt\\tab\t2024-01-0${i % 9} 00:00:00+00\t\\N`,
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
