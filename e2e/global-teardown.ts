import { rmSync } from "node:fs";
import { stateFile } from "./auth/helpers";

// The run's databases are dropped by the server that used them, as it stops (e2e/serve.ts):
// this runs before Playwright stops its web servers.
export default async function teardown() {
  // What the sign-in helper kept of the run's accounts (secrets, sessions).
  rmSync(stateFile, { force: true });
}
