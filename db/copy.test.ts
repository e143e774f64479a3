import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { governing, Pace, RESPONSIVE, responsivePace } from "./copy";

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

  // On a clock of its own: probes every 20 ms, answering in 1 ms as at rest or in 20 ms (the
  // server busy), while the copy goes at the rate the pace gives it.
  const governed = () => {
    const pace = new Pace(RESPONSIVE.startBytesPerSecond);
    let now = 0;
    const probed = governing(pace, Array(RESPONSIVE.baselineProbes).fill(1), now);
    return (count: number, ms: number) => {
      for (let i = 0; i < count; i++) {
        const interval = RESPONSIVE.everyMs + ms;
        pace.bytes += (pace.bytesPerSecond * interval) / 1000;
        now += interval;
        probed(ms, now);
      }
      return pace.bytesPerSecond;
    };
  };

  it("follows the server's response: down while it answers slower than at rest, up again once it keeps up", () => {
    const probes = governed();
    const keptUp = probes(30, 1);
    // Two seconds slow: a step down for every `fresh` probes after the first are judged slow.
    const lowest = probes(100, 20);
    const last = probes(150, 1);
    expect(keptUp).toBeGreaterThan(RESPONSIVE.startBytesPerSecond);
    expect(lowest).toBeLessThan(keptUp * RESPONSIVE.down ** 8);
    expect(last).toBeGreaterThan(lowest * 4);
  });

  it("takes one step down for a short burst of slow answers, not one for every probe it stays in view", () => {
    const probes = governed();
    const keptUp = probes(60, 1);
    // Six slow answers, then the probes that keep them in view as the rate is judged.
    probes(6, 20);
    const after = probes(RESPONSIVE.fresh - 1, 1);
    expect(after).toBeLessThan(keptUp);
    expect(after).toBeGreaterThanOrEqual(keptUp * RESPONSIVE.down);
  });

  it("probes the server while the work runs, and sets the rate from what it finds", async () => {
    // Once the work starts, the probe answers far slower than at rest: the rate goes down.
    let working = false;
    let probesAfter = 0;
    const probe = () => {
      if (working) probesAfter++;
      return new Promise((resolve) => setTimeout(resolve, working ? 100 : 0));
    };
    const rate = await responsivePace(probe, async (pace) => {
      working = true;
      const started = performance.now();
      while (
        pace.bytesPerSecond >= RESPONSIVE.startBytesPerSecond &&
        performance.now() - started < 10_000
      )
        await new Promise((resolve) => setTimeout(resolve, 10));
      return pace.bytesPerSecond;
    });
    expect(rate).toBeLessThan(RESPONSIVE.startBytesPerSecond);
    // and no probe goes on after the work: the watch ends with it
    const seen = probesAfter;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(probesAfter).toBe(seen);
  });
});
