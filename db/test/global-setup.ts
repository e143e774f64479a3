// Once per `vitest run`: a server (db/test/server.ts) and a migrated template database on it;
// the template and every copy are dropped at the end, and a server started here is stopped.
// Those of earlier runs killed before their end are dropped first.
import type { TestProject } from "vitest/node";
import { runMigrations } from "../migrate";
import { createDatabase, dropDatabases, dropEndedRuns } from "./databases";
import { ensureTestServer } from "./server";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
    runPrefix: string;
  }
}

export default async function setup(project: TestProject) {
  const stopServer = await ensureTestServer();
  await dropEndedRuns();
  const runPrefix = `tenantry_t${process.pid}_${Date.now().toString(36)}`;
  const template = await createDatabase(`${runPrefix}_template`);
  // On an embedded server the app's login has a password (scram); on a trust server none is needed.
  await runMigrations(template.ownerUrl, { appPassword: process.env.TEST_APP_PASSWORD });
  project.provide("templateDatabase", template.name);
  project.provide("runPrefix", runPrefix);
  return async () => {
    await dropDatabases(runPrefix);
    await stopServer();
  };
}
