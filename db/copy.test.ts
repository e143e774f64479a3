import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { Pace, RESPONSIVE, responsivePace } from "./copy";

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

  it("follows the server's response: down while it answers slower than at rest, up again once it keeps up", async () => {
    // The probe answers at once, then takes 20 ms (the server busy), then at once again; the
    // copy pushes chunks through the pace all along, and the rate is read every 10 ms.
    let slow = false;
    const probe = () => new Promise((resolve) => setTimeout(resolve, slow ? 20 : 0));
    const rates: { slow: boolean; rate: number }[] = [];
    await responsivePace(probe, async (pace) => {
      let copying = true;
      const copy = pipeline(
        Readable.from(
          (function* () {
            while (copying) yield Buffer.alloc(16 * 1024, 120);
          })(),
        ),
        pace.stage(),
        sink(),
      );
      const reading = setInterval(() => rates.push({ slow, rate: pace.bytesPerSecond }), 10);
      const stretch = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      await stretch(600);
      slow = true;
      await stretch(900);
      slow = false;
      await stretch(3_000);
      clearInterval(reading);
      copying = false;
      await copy;
    });
    const keptUp = rates[rates.findIndex((r) => r.slow) - 1].rate;
    const lowest = Math.min(...rates.map((r) => r.rate));
    const last = rates[rates.length - 1].rate;
    expect(keptUp).toBeGreaterThan(RESPONSIVE.startBytesPerSecond);
    expect(lowest).toBeLessThan(keptUp / 4);
    expect(last).toBeGreaterThan(lowest * 4);
  });
});
