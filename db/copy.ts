// COPY streams (pg-copy-streams, the pg driver's own COPY support): a query's rows out through
// stages to a sink, and a source's rows into a table, on a client the caller holds (its
// transaction, its role and settings). Memory stays flat: rows flow in chunks. A pace between
// them, for a copy that must leave its servers room.
import { pipeline } from "node:stream/promises";
import { Transform, Writable, type Readable, type TransformCallback } from "node:stream";
import type pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";

/** A sink that keeps nothing: for a stream read only for what its stages count. */
export const nowhere = () => new Writable({ write: (_chunk, _encoding, next) => next() });

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
  /** Bytes through its stages so far (a chunk counts once its wait is over). */
  bytes = 0;

  constructor(public bytesPerSecond: number) {}

  stage(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) => {
        const now = performance.now();
        this.due = Math.max(this.due, now) + (chunk.length / this.bytesPerSecond) * 1000;
        const wait = this.due - now;
        const pass = () => {
          this.bytes += chunk.length;
          done(null, chunk);
        };
        if (wait > 1) setTimeout(pass, wait);
        else pass();
      },
    });
  }
}

/** How `responsivePace` reads the server and moves the rate: see there. */
export const RESPONSIVE = {
  /** A probe this often, before the copy (`baselineProbes`) and while it runs. */
  everyMs: 20,
  baselineProbes: 50,
  /**
   * The response time judged: this quantile of the probes since the rate last went down (the
   * last `window` of them), so the tail that the server's other clients feel counts (a copy that
   * keeps the cores busy delays some of their statements, not the usual one). Until `fresh` such
   * probes are in, the rate holds: a step down is judged on what the server did after the last
   * one, so a burst of slow answers costs one step, not a step for every probe it stays in view.
   */
  window: 50,
  quantile: 0.9,
  fresh: 10,
  /** Slower than this many times the response at rest, and this much more: the rate goes down. */
  slowerThan: 1.1,
  slowerByMs: 0.1,
  /**
   * The rate to start at, its floor, and how it moves after each probe: up a step while the
   * server keeps up (to at most twice what went through over the window, so the rate never runs
   * far ahead of the copy and a step down takes hold at once), down a larger one when not.
   */
  startBytesPerSecond: 2 * 2 ** 20,
  floorBytesPerSecond: 128 * 2 ** 10,
  up: 1.05,
  down: 0.75,
} as const;

/**
 * `work` with a pace that follows the response time of the server a copy reads, as `probe` (a
 * trivial statement on a connection of its own) sees it: measured at rest first, then all
 * along while `work` runs; while the server answers about as fast as at rest the rate goes up,
 * and when it answers slower (its other clients wait behind the copy) the rate goes down. The
 * copy then takes what the server can spare, on any machine, rather than a rate fixed for one.
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
  const pause = () => new Promise((resolve) => setTimeout(resolve, RESPONSIVE.everyMs));
  // At rest the probes are spaced as they will be during the copy: a probe right after another
  // finds its server process awake and answers faster than one after a pause would, and a
  // baseline taken so would read the copy's every probe as slow.
  const atRest: number[] = [];
  for (let i = 0; i < RESPONSIVE.baselineProbes; i++) {
    await pause();
    atRest.push(await time());
  }
  const pace = new Pace(RESPONSIVE.startBytesPerSecond);
  const probed = governing(pace, atRest, performance.now());
  let done = false;
  const watching = (async () => {
    while (!done) {
      await pause();
      if (done) break;
      probed(await time(), performance.now());
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

/**
 * How `responsivePace` moves `pace`'s rate, apart from its clock: `atRest` are the probes' times
 * before the copy, `startedAt` when the copy began; the function it returns takes each probe
 * during the copy (its time, and when it ended) and sets the rate from those since it last went
 * down (RESPONSIVE.window) and the bytes `pace` let through meanwhile.
 */
export function governing(pace: Pace, atRest: number[], startedAt: number) {
  const judged = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * RESPONSIVE.quantile)];
  const limit = judged(atRest) * RESPONSIVE.slowerThan + RESPONSIVE.slowerByMs;
  // The last `window` probes: each one's time, and when it ended with how many bytes through.
  const recent: { ms: number; at: number; bytes: number }[] = [];
  const started = { at: startedAt, bytes: pace.bytes };
  // The times of the probes since the rate last went down (the last `window` of them).
  let judging: number[] = [];
  return (ms: number, at: number) => {
    recent.push({ ms, at, bytes: pace.bytes });
    if (recent.length > RESPONSIVE.window) recent.shift();
    judging.push(ms);
    if (judging.length > RESPONSIVE.window) judging.shift();
    if (judging.length < RESPONSIVE.fresh) return;
    if (judged(judging) > limit) {
      pace.bytesPerSecond = Math.max(
        RESPONSIVE.floorBytesPerSecond,
        pace.bytesPerSecond * RESPONSIVE.down,
      );
      judging = [];
      return;
    }
    // What went through over the window (a chunk at a time: a single interval may hold none).
    const from = recent.length === RESPONSIVE.window ? recent[0] : started;
    const to = recent[recent.length - 1];
    const through = ((to.bytes - from.bytes) / (to.at - from.at)) * 1000;
    pace.bytesPerSecond = Math.max(
      pace.bytesPerSecond,
      Math.min(pace.bytesPerSecond * RESPONSIVE.up, through * 2),
    );
  };
}
