// The embedded server's data folder is one server's: a second start on a folder whose server
// still runs under a live process (an `npm start` that was not killed) is refused, naming that
// process, and the running server goes on answering; a server whose process was killed is
// still stopped and replaced (the e2e embedded-default spec, after SIGKILL).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InUseError, startEmbeddedServer, type EmbeddedServer } from "./embedded";
import { freePort } from "./test/ports";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "tenantry-embedded-test-"));
let running: EmbeddedServer;

beforeAll(async () => {
  running = await startEmbeddedServer({ dataDir, port: await freePort() });
}, 120_000);

afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("a second start on a data folder in use", () => {
  it("is refused, naming the process that runs its server, and leaves that server serving", async () => {
    const second = startEmbeddedServer({ dataDir, port: await freePort() });
    await expect(second).rejects.toBeInstanceOf(InUseError);
    await expect(second).rejects.toThrow(
      `in use by the server that process ${process.pid} started`,
    );
    const client = new pg.Client({ connectionString: running.ownerUrl });
    await client.connect();
    try {
      expect((await client.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });
});
