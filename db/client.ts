// The only place that opens connections to the database (docs/architecture.md §2).
import "server-only";
import pg from "pg";
import { appDatabaseUrl, readDatabaseEnv } from "./env";

export type Pool = pg.Pool;

export interface PoolOptions {
  max?: number;
}

/** How long a caller waits for a free connection before it fails. */
export const POOL_WAIT_MS = 15_000;

export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    // A request that finds every connection busy this long fails (and says so) instead of
    // hanging: the pool is saturated, and waiting longer only piles up more requests.
    connectionTimeoutMillis: POOL_WAIT_MS,
  });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on("error", (error) => console.error("database pool:", error.message));
  return pool;
}

const globalPools = globalThis as unknown as { tenantryAppPool?: pg.Pool };

/** The app's pool: logs in as tenantry_app, the role that owns nothing and bypasses nothing. */
export function appPool(): pg.Pool {
  if (!globalPools.tenantryAppPool) {
    const env = readDatabaseEnv();
    globalPools.tenantryAppPool = createPool(appDatabaseUrl(env), { max: env.DB_POOL_SIZE });
  }
  return globalPools.tenantryAppPool;
}

/** Point the app at another pool (tests and benches own theirs); returns the previous one. */
export function setAppPool(pool: pg.Pool | undefined): pg.Pool | undefined {
  const previous = globalPools.tenantryAppPool;
  globalPools.tenantryAppPool = pool;
  return previous;
}
