// The PostgreSQL server a test run uses: TEST_DATABASE_URL when set; else the local server on
// 127.0.0.1:5432 when one answers; else an embedded server started here (wal_level=logical, in a
// temporary folder, on a free port), so `npm test` needs no system PostgreSQL. Sets
// TEST_DATABASE_URL and TEST_APP_PASSWORD in this process's environment, which the processes it
// starts afterwards (test workers, the e2e server) inherit.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedServer } from "../embedded";
import { answers, freePort } from "./ports";

/** Makes sure the run has a server; returns how to stop the one it started (a no-op otherwise). */
export async function ensureTestServer(
  log: (line: string) => void = console.log,
): Promise<() => Promise<void>> {
  if (process.env.TEST_DATABASE_URL || (await answers(5432))) return async () => undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "tenantry-test-pg-"));
  const port = Number(process.env.TEST_EMBEDDED_PORT ?? (await freePort()));
  log(
    `No PostgreSQL on 127.0.0.1:5432 and no TEST_DATABASE_URL: starting an embedded PostgreSQL on port ${port} for this run …`,
  );
  const server = await startEmbeddedServer({ dataDir, port });
  process.env.TEST_DATABASE_URL = server.serverUrl;
  process.env.TEST_APP_PASSWORD = server.appPassword;
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
