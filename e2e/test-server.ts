// The embedded PostgreSQL for an e2e run on a machine without a server of its own, started by
// Playwright as the first webServer (e2e/playwright.config.ts chose its folder, port and
// passwords); stopped, and its folder removed, when Playwright ends the run.
import { rmSync } from "node:fs";
import { startEmbeddedServer } from "../db/embedded";

const dataDir = process.env.E2E_EMBEDDED_DIR!;
const port = Number(process.env.E2E_EMBEDDED_PORT);
const server = await startEmbeddedServer({ dataDir, port });
console.log(`embedded PostgreSQL for the e2e run on 127.0.0.1:${port}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
