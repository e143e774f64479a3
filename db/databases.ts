// Registered data-plane databases (docs/architecture.md §13): where their connections come from,
// and a pool per database. A database's owner URL is in the environment variable the registry
// names; the app's login URL is in <VAR>_APP, or is derived from the owner's as for DATABASE_URL
// (the user swapped for tenantry_app, APP_DATABASE_PASSWORD). Nothing secret is in a table.
import "server-only";
import type pg from "pg";
import { appPool, createPool } from "./client";
import { appDatabaseUrl, APP_LOGIN_ROLE, readDatabaseEnv } from "./env";

export const PRIMARY_DATABASE = "primary";

export interface DatabaseEntry {
  name: string;
  envVar: string;
}

export class DatabaseConfigError extends Error {}

const isPostgresUrl = (value: string | undefined): value is string =>
  value !== undefined && /^postgres(ql)?:\/\//.test(value);

/** The owner's URL of a registered database, from the variable it names. */
export function ownerUrlOf(entry: DatabaseEntry, env: NodeJS.ProcessEnv = process.env): string {
  const url = env[entry.envVar];
  if (!isPostgresUrl(url))
    throw new DatabaseConfigError(
      `The database ${entry.name} takes its connection from ${entry.envVar}, which holds no postgres:// URL in this process's environment.`,
    );
  return url;
}

/** The owner's URL of a registered database when the primary's is `primaryUrl` (the caller's). */
export const ownerUrlIn = (primaryUrl: string, entry: DatabaseEntry): string =>
  entry.name === PRIMARY_DATABASE ? primaryUrl : ownerUrlOf(entry);

/** The URL the app logs in with on a registered database. */
export function appUrlOf(entry: DatabaseEntry, env: NodeJS.ProcessEnv = process.env): string {
  if (entry.name === PRIMARY_DATABASE) return appDatabaseUrl(readDatabaseEnv(env));
  const own = env[`${entry.envVar}_APP`];
  if (isPostgresUrl(own)) return own;
  const url = new URL(ownerUrlOf(entry, env));
  url.username = APP_LOGIN_ROLE;
  url.password = env.APP_DATABASE_PASSWORD ?? "";
  return url.toString();
}

/** At most this many pools besides the primary's; the least recently used idle one goes. */
const MAX_POOLS = Number(process.env.DB_POOLS_MAX ?? 8);

const globalPools = globalThis as unknown as {
  tenantryDatabasePools?: Map<string, { url: string; pool: pg.Pool }>;
};

/**
 * The app's pool on a registered database, created on first use: the primary's is the app's
 * own pool; another's has DB_POOL_SIZE connections, and the pools are bounded in number.
 */
export function databasePool(entry: DatabaseEntry): pg.Pool {
  if (entry.name === PRIMARY_DATABASE) return appPool();
  const pools = (globalPools.tenantryDatabasePools ??= new Map());
  const url = appUrlOf(entry);
  const found = pools.get(entry.name);
  if (found && found.url === url) {
    // Most recently used last.
    pools.delete(entry.name);
    pools.set(entry.name, found);
    return found.pool;
  }
  if (found) void found.pool.end();
  pools.delete(entry.name);
  for (const [name, old] of pools) {
    if (pools.size < MAX_POOLS) break;
    if (old.pool.totalCount - old.pool.idleCount > 0) continue;
    pools.delete(name);
    void old.pool.end();
  }
  const pool = createPool(url, { max: readDatabaseEnv().DB_POOL_SIZE });
  pools.set(entry.name, { url, pool });
  return pool;
}

/** Ends every pool of a registered database (tests, shutdown). */
export async function endDatabasePools(): Promise<void> {
  const pools = globalPools.tenantryDatabasePools;
  if (!pools) return;
  globalPools.tenantryDatabasePools = undefined;
  await Promise.all([...pools.values()].map((p) => p.pool.end()));
}
