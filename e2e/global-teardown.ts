import { rmSync } from "node:fs";
import { dropDatabases } from "../db/test/databases";
import { stateFile } from "./auth/helpers";

export default async function teardown() {
  if (!process.env.E2E_DATABASE) return;
  await dropDatabases(process.env.E2E_DATABASE);
  // What the sign-in helper kept of the run's accounts (secrets, sessions).
  rmSync(stateFile, { force: true });
}
