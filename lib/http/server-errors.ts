// What the console answers instead of Next's bare 500 (issue #20). A request that failed because
// the database is unreachable gets a 503 with Retry-After and a sentence, at once — not a hang,
// not an error page with a digest — and the next request after the database is back goes
// through, with no restart. A server action posted with a body Next cannot decode (a forged or
// stale form) gets a 400 with a sentence: the action chain itself never answers 500, so a 500 on
// an action is the decoding's. Anything else passes through as Next wrote it, and so does every
// status but 500: a handler's own 503 (health's `unavailable`) is its answer.
import type { IncomingMessage, ServerResponse } from "node:http";
import { databaseAnswers, unreachableWithin } from "../../db/probe";
import { UNREADABLE } from "../auth/form";

// A request that failed as the database came back (refused while it was starting up, or on a
// connection the restart cut) is answered once it answers again: an outage seen this recently
// is still taken for the cause.
const OUTAGE_MEMORY_MS = 5_000;

const UNAVAILABLE =
  "The console cannot reach its database right now. It will answer again as soon as the database is back; try again in a few seconds.";

/** Wraps `response` so that a 500 is held back and answered as above. */
export function answerServerErrors(request: IncomingMessage, response: ServerResponse) {
  const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
  const write = response.write.bind(response) as (...args: unknown[]) => boolean;
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  let held: { status: number; head: unknown[]; chunks: unknown[] } | undefined;
  // Next may set statusCode and write without writeHead (Node then calls writeHead itself).
  const holdImplicit = () => {
    if (!held && !response.headersSent && response.statusCode === 500)
      held = { status: response.statusCode, head: [], chunks: [] };
  };

  response.writeHead = ((status: number, ...head: unknown[]) => {
    if (status !== 500) return writeHead(status, ...head);
    held = { status, head, chunks: [] };
    return response;
  }) as typeof response.writeHead;
  response.write = ((chunk: unknown, ...rest: unknown[]) => {
    holdImplicit();
    if (!held) return write(chunk, ...rest);
    if (typeof chunk !== "function") held.chunks.push(chunk);
    return true;
  }) as typeof response.write;
  response.end = ((chunk?: unknown, ...rest: unknown[]) => {
    holdImplicit();
    if (!held) return end(chunk, ...rest);
    if (chunk !== undefined && typeof chunk !== "function") held.chunks.push(chunk);
    void answer(held);
    return response;
  }) as typeof response.end;

  async function answer({ status, head, chunks }: NonNullable<typeof held>) {
    let sentence: string | undefined;
    let replaced = status;
    if (!(await databaseAnswers()) || unreachableWithin(OUTAGE_MEMORY_MS))
      [replaced, sentence] = [503, UNAVAILABLE];
    else if (request.method === "POST" && request.headers["next-action"])
      [replaced, sentence] = [400, UNREADABLE];
    if (!sentence) {
      writeHead(status, ...head);
      for (const chunk of chunks) write(chunk);
      end();
      return;
    }
    for (const name of response.getHeaderNames()) response.removeHeader(name);
    const html = (request.headers.accept ?? "").includes("text/html");
    const body = html ? page(sentence) : sentence;
    writeHead(replaced, {
      "Content-Type": html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8",
      "Content-Length": Buffer.byteLength(body),
      "Cache-Control": "no-store",
      ...(replaced === 503 ? { "Retry-After": "5" } : {}),
    });
    end(body);
  }
}

function page(sentence: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tenantry</title><meta name="viewport" content="width=device-width, initial-scale=1"></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#111"><main><h1>Tenantry is unavailable</h1><p>${sentence}</p></main></body></html>`;
}
