// COPY streams (pg-copy-streams, the pg driver's own COPY support): a query's rows out through
// stages to a sink, and a source's rows into a table, on a client the caller holds (its
// transaction, its role and settings). Memory stays flat: rows flow in chunks. A pace between
// them, for a copy that must leave its servers room.
import { pipeline } from "node:stream/promises";
import { Transform, type Readable, type TransformCallback, type Writable } from "node:stream";
import type pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";

/** `COPY (query) TO STDOUT`, in COPY's text format, through `stages` into the last of them. */
export async function copyOut(
  client: pg.ClientBase,
  query: string,
  ...stages: [...Transform[], Writable]
) {
  const source: Readable = client.query(copyTo(`copy (${query}) to stdout`));
  await pipeline([source, ...stages]);
}

/** `COPY target FROM STDIN` from `source`, in COPY's text format; the number of rows written. */
export async function copyIn(client: pg.ClientBase, target: string, source: Readable) {
  const stream = client.query(copyFrom(`copy ${target} from stdin`));
  await pipeline(source, stream);
  return stream.rowCount;
}

/**
 * A rate for COPY streams: the chunks through every stage it makes go, together, at most at
 * `bytesPerSecond`; the source is held back as the stage waits. The rate may change as the
 * copy goes (`responsivePace`); time a stream spent idle is not made up for with a burst.
 */
export class Pace {
  private due = 0;
  /** Bytes through its stages so far. */
  bytes = 0;

  constructor(public bytesPerSecond: number) {}

  stage(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) => {
        const now = performance.now();
        this.bytes += chunk.length;
        this.due = Math.max(this.due, now) + (chunk.length / this.bytesPerSecond) * 1000;
        const wait = this.due - now;
        if (wait > 1) setTimeout(() => done(null, chunk), wait);
        else done(null, chunk);
      },
    });
  }
}

/** How `responsivePace` reads the server and moves the rate: see there. */
export const RESPONSIVE = {
  /** Probes before the copy, for the server's response time at rest. */
  baselineProbes: 20,
  /** A probe this often while the copy runs, judged over the last `window`. */
  everyMs: 50,
  window: 10,
  /**
   * The response time judged: this quantile of the probes, so the tail that the server's other
   * clients feel counts, not only the usual answer.
   */
  quantile: 0.8,
  /** Slower than this many times the response at rest, and this much more: the rate goes down. */
  slowerThan: 1.5,
  slowerByMs: 0.3,
  /**
   * The rate to start at, its floor, and how it moves: up a step while the server keeps up (to
   * at most twice what went through in the last interval, so the rate never runs far ahead of
   * the copy and a step down takes hold at once), down harder when it does not.
   */
  startBytesPerSecond: 2 * 2 ** 20,
  floorBytesPerSecond: 128 * 2 ** 10,
  up: 1.25,
  down: 0.6,
};

/**
 * `work` with a pace that follows the response time of the server a copy reads, as `probe` (a
 * trivial statement on a connection of its own) sees it: measured at rest first, then every
 * RESPONSIVE.everyMs while `work` runs; while the server answers about as fast as at rest the
 * rate goes up, and when it answers slower (its other clients wait behind the copy) the rate
 * goes down. The copy then takes what the server can spare, on any machine, rather than a rate
 * fixed for one.
 */
export async function responsivePace<T>(
  probe: () => Promise<unknown>,
  work: (pace: Pace) => Promise<T>,
): Promise<T> {
  const time = async () => {
    const started = performance.now();
    await probe();
    return performance.now() - started;
  };
  const judged = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * RESPONSIVE.quantile)];
  const atRest: number[] = [];
  for (let i = 0; i < RESPONSIVE.baselineProbes; i++) atRest.push(await time());
  const limit = judged(atRest) * RESPONSIVE.slowerThan + RESPONSIVE.slowerByMs;
  const pace = new Pace(RESPONSIVE.startBytesPerSecond);
  let done = false;
  const watching = (async () => {
    const recent: number[] = [];
    let last = { at: performance.now(), bytes: 0 };
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, RESPONSIVE.everyMs));
      if (done) break;
      const ms = await time();
      recent.push(ms);
      if (recent.length > RESPONSIVE.window) recent.shift();
      const now = { at: performance.now(), bytes: pace.bytes };
      const through = ((now.bytes - last.bytes) / (now.at - last.at)) * 1000;
      last = now;
      pace.bytesPerSecond = Math.max(
        RESPONSIVE.floorBytesPerSecond,
        judged(recent) > limit
          ? pace.bytesPerSecond * RESPONSIVE.down
          : Math.max(
              pace.bytesPerSecond,
              Math.min(pace.bytesPerSecond * RESPONSIVE.up, through * 2),
            ),
      );
    }
    // A probe that fails (its connection lost) ends the watch; the copy keeps its last rate and
    // meets the same trouble itself if the server is gone.
  })().catch(() => undefined);
  try {
    return await work(pace);
  } finally {
    done = true;
    await watching;
  }
}
