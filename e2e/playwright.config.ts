import { existsSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "@playwright/test";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (never \`playwright install\`).`);
}

// One fresh database per run, named here so the server and the teardown agree on it.
process.env.E2E_DATABASE ??= `tenantry_e2e_${process.pid}_${Date.now().toString(36)}`;
const port = Number(process.env.E2E_PORT ?? 3210);
const root = path.resolve(import.meta.dirname, "..");

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
      args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: {
    // `next build` runs before Playwright (npm run test:e2e); this migrates, seeds and serves.
    command: `node --conditions=react-server --import tsx e2e/serve.ts`,
    cwd: root,
    url: `http://localhost:${port}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: { PORT: String(port), E2E_DATABASE: process.env.E2E_DATABASE },
  },
});
