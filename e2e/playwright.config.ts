import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { embeddedCredentials, embeddedUrl } from "../db/embedded-credentials";
import { answers, freePort } from "../db/test/ports";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  throw new Error(
    `Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (never \`playwright install\`).`,
  );
}

// One fresh database per run, named here so the server and the teardown agree on it.
process.env.E2E_DATABASE ??= `tenantry_e2e_${process.pid}_${Date.now().toString(36)}`;
const port = Number(process.env.E2E_PORT ?? 3210);
const root = path.resolve(import.meta.dirname, "..");

// The server the run's databases live on: TEST_DATABASE_URL, else the local one on 5432, else an
// embedded one started as the first webServer below. Decided once, in the runner's process;
// the servers and workers it starts inherit the environment set here.
let embeddedServer: { dir: string; port: number } | undefined;
if (!process.env.TEST_DATABASE_URL && !(await answers(5432))) {
  embeddedServer = {
    dir: mkdtempSync(path.join(os.tmpdir(), "tenantry-e2e-pg-")),
    port: await freePort(),
  };
  const credentials = embeddedCredentials(embeddedServer.dir);
  process.env.TEST_DATABASE_URL = embeddedUrl(
    "postgres",
    credentials.owner,
    embeddedServer.port,
    "postgres",
  );
  process.env.TEST_APP_PASSWORD = credentials.app;
  process.env.E2E_EMBEDDED_DIR = embeddedServer.dir;
  process.env.E2E_EMBEDDED_PORT = String(embeddedServer.port);
}

export default defineConfig({
  testDir: ".",
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? "list" : [["list"]],
  globalTeardown: "./global-teardown.ts",
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: [
    ...(embeddedServer
      ? [
          {
            command: "node --import tsx e2e/test-server.ts",
            cwd: root,
            port: embeddedServer.port,
            timeout: 60_000,
            reuseExistingServer: false,
            gracefulShutdown: { signal: "SIGTERM" as const, timeout: 15_000 },
          },
        ]
      : []),
    {
      // `next build` runs before Playwright (npm run test:e2e); this migrates, seeds and serves.
      command: `node --conditions=react-server --import tsx e2e/serve.ts`,
      cwd: root,
      url: `http://localhost:${port}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: { PORT: String(port), E2E_DATABASE: process.env.E2E_DATABASE! },
      gracefulShutdown: { signal: "SIGTERM" as const, timeout: 5_000 },
    },
  ],
});
