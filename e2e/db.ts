// Direct reads of the e2e database, as its owner: for arranging and checking what the UI
// must not be able to reach.
import pg from "pg";
import { databaseUrl } from "../db/test/databases";

export async function ownerQuery<T extends pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
  /** Another database of the run's (e.g. `${E2E_DATABASE}_dedicated`); the e2e database by default. */
  database = process.env.E2E_DATABASE!,
): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Holds a lock on a table in an open transaction until `release` is called, to freeze a run mid-way. */
export async function holdTableLock(table: string): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl(process.env.E2E_DATABASE!) });
  await client.connect();
  await client.query("begin");
  await client.query(`lock table ${table} in access exclusive mode`);
  return {
    release: async () => {
      await client.query("rollback");
      await client.end();
    },
  };
}
