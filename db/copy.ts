// COPY streams (pg-copy-streams, the pg driver's own COPY support): a query's rows out through
// stages to a sink, and a source's rows into a table, on a client the caller holds (its
// transaction, its role and settings). Memory stays flat: rows flow in chunks.
import { pipeline } from "node:stream/promises";
import type { Readable, Transform, Writable } from "node:stream";
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
