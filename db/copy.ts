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
 * `bytesPerSecond` since it was made. The source is held back as the stage waits.
 */
export class Pace {
  private readonly started = performance.now();
  private bytes = 0;

  constructor(private readonly bytesPerSecond: number) {}

  stage(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) => {
        this.bytes += chunk.length;
        const due = this.started + (this.bytes / this.bytesPerSecond) * 1000;
        const wait = due - performance.now();
        if (wait > 0) setTimeout(() => done(null, chunk), wait);
        else done(null, chunk);
      },
    });
  }
}
