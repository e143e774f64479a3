import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { Pace } from "./copy";

const chunks = (n: number, size: number) =>
  Readable.from(Array.from({ length: n }, () => Buffer.alloc(size, 120)));
const sink = () => new Writable({ write: (_chunk, _encoding, next) => next() });

describe("a pace for COPY streams", () => {
  it("holds the stages it makes, together, to its rate", async () => {
    // 512 KiB at 2 MiB a second, over two streams one after the other: at least 250 ms.
    const pace = new Pace(2 * 2 ** 20);
    const started = performance.now();
    await pipeline(chunks(4, 64 * 1024), pace.stage(), sink());
    await pipeline(chunks(4, 64 * 1024), pace.stage(), sink());
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(240);
    expect(took).toBeLessThan(2_000);
  });

  it("passes every byte on, in order", async () => {
    const seen: Buffer[] = [];
    const data = Array.from({ length: 8 }, (_, i) => Buffer.from(`row ${i}\n`));
    await pipeline(
      Readable.from(data),
      new Pace(10 * 2 ** 20).stage(),
      new Writable({
        write: (chunk, _encoding, next) => {
          seen.push(chunk);
          next();
        },
      }),
    );
    expect(Buffer.concat(seen).toString()).toBe(data.join(""));
  });
});
