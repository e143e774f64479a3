// Whether the app's database answers right now, for the HTTP server's answer to a request that
// failed (lib/http/server-errors.ts). A connection of its own — the app's pool lives in Next's
// bundle — given two seconds; a result is reused for a second, so an outage's many failed
// requests ask once.
import pg from "pg";
import { appDatabaseUrl, readDatabaseEnv } from "./env";

let last: { at: number; answers: Promise<boolean> } | undefined;
let lastUnreachable = 0;

export function databaseAnswers(timeoutMs = 2_000): Promise<boolean> {
  if (last && Date.now() - last.at < 1_000) return last.answers;
  last = { at: Date.now(), answers: probe(timeoutMs) };
  return last.answers;
}

async function probe(timeoutMs: number): Promise<boolean> {
  const client = new pg.Client({
    connectionString: appDatabaseUrl(readDatabaseEnv()),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    lastUnreachable = Date.now();
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether a probe found the database unreachable in the `ms` before `now`. */
export function unreachableWithin(ms: number, now = Date.now()): boolean {
  return lastUnreachable > 0 && now - lastUnreachable < ms;
}
