// Every bench's own database: created fresh and migrated, the app pointed at it through its
// own pool, an owner pool for loading data, and all of it dropped at the end, whatever happens.
import { createPool, setAppPool, type Pool } from "../client";
import { runMigrations } from "../migrate";
import { createDatabase, dropDatabases, type TestDatabase } from "../test/databases";

export async function withBenchDatabase(
  label: string,
  pools: { owner: number; app: number },
  fn: (db: { database: TestDatabase; owner: Pool; app: Pool }) => Promise<void>,
): Promise<void> {
  const name = `tenantry_bench_${label}_${process.pid}`;
  const database = await createDatabase(name);
  const owner = createPool(database.ownerUrl, { max: pools.owner });
  const app = createPool(database.appUrl, { max: pools.app });
  setAppPool(app);
  try {
    await runMigrations(database.ownerUrl);
    await fn({ database, owner, app });
  } finally {
    setAppPool(undefined);
    await app.end();
    await owner.end();
    await dropDatabases(name);
  }
}
