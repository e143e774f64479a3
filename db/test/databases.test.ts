// The test databases of a run killed before its teardown are dropped by the next run's setup.
import { expect, it } from "vitest";
import { createDatabase, dropEndedRuns, withServer } from "./databases";

const exists = (name: string) =>
  withServer(
    async (c) =>
      (await c.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1,
  );

it("drops the databases of runs whose process is gone, and keeps those of runs still going", async () => {
  // Above Linux's largest process ID (2^22): no process has it.
  const ended = `tenantry_t4194305_${Date.now().toString(36)}_template`;
  const live = `tenantry_t${process.pid}_${Date.now().toString(36)}_extra`;
  await createDatabase(ended);
  await createDatabase(live);
  try {
    expect(await dropEndedRuns()).toContain(ended);
    expect(await exists(ended)).toBe(false);
    expect(await exists(live)).toBe(true);
  } finally {
    await withServer((c) => c.query(`drop database if exists "${live}"`));
  }
});
