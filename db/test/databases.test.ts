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
  // An end-to-end run's dedicated database, its runner gone.
  const endedE2e = `tenantry_e2e_4194305_${Date.now().toString(36)}_dedicated`;
  await createDatabase(ended);
  await createDatabase(live);
  await createDatabase(endedE2e);
  try {
    expect(await dropEndedRuns()).toEqual(expect.arrayContaining([ended, endedE2e]));
    expect(await exists(ended)).toBe(false);
    expect(await exists(endedE2e)).toBe(false);
    expect(await exists(live)).toBe(true);
  } finally {
    await withServer((c) => c.query(`drop database if exists "${live}"`));
  }
});
