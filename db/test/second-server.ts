// A second PostgreSQL server for a test file's moves: embedded (PostgreSQL 18, wal_level=logical)
// in a folder of its own on a free port, its URLs in the variables a registered database names.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedServer, type EmbeddedServer } from "../embedded";
import { freePort } from "./ports";

export interface SecondServer extends EmbeddedServer {
  /** The server's folder, which the test may use for its own files too. */
  dir: string;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** Starts it, with its owner URL in `envVar` and the app's login in `${envVar}_APP`. */
export async function startSecondServer(envVar: string): Promise<SecondServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "tenantry-second-server-"));
  const server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
  process.env[envVar] = server.ownerUrl;
  process.env[`${envVar}_APP`] = server.appUrl;
  return {
    ...server,
    dir,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
