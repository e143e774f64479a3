// Once per `vitest run`: a migrated template database; dropped with every copy at the end.
import type { TestProject } from "vitest/node";
import { runMigrations } from "../migrate";
import { createDatabase, dropDatabases } from "./databases";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
    runPrefix: string;
  }
}

export default async function setup(project: TestProject) {
  const runPrefix = `tenantry_t${process.pid}_${Date.now().toString(36)}`;
  const template = await createDatabase(`${runPrefix}_template`);
  await runMigrations(template.ownerUrl);
  project.provide("templateDatabase", template.name);
  project.provide("runPrefix", runPrefix);
  return () => dropDatabases(runPrefix);
}
