// Connections as the owner, for the work that must be the owner's (migrations, the sample data
// plane, audit retention, adoption, moves): one client for the work, closed after it, or kept
// for the next use with its session reset (withKeptOwnerClient); a transaction when asked.
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";

export type OwnerClient = pg.Client;

export async function withOwnerClient<T>(
  connectionString: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = ownerClient(connectionString);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Owners' connections kept between uses, one pool a database (withKeptOwnerClient). */
const kept = new Map<string, pg.Pool>();

/**
 * `fn` with an owner's client kept between uses: one an earlier call for the same database left,
 * or a new one. For work done over and over, such as move after move, where opening a connection
 * and warming its catalog caches costs more than the work. The session is reset as it comes back
 * (DISCARD ALL: no transaction, role, setting, advisory lock or temporary table carries over),
 * or closed if it cannot be; an idle one closes after 10 s, and none keeps a process alive. Use
 * no named statement on it: the server forgets them, and pg would take them for prepared still.
 */
export async function withKeptOwnerClient<T>(
  connectionString: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  let pool = kept.get(connectionString);
  if (!pool) {
    // As many at once as the work holds (a move holds three; MOVES_PARALLEL of them run): a cap
    // here would only make one use wait for another's.
    pool = new pg.Pool({
      connectionString,
      max: Number.POSITIVE_INFINITY,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
    });
    // An idle connection lost (its server stopped, its database dropped) leaves the pool; one
    // lost in use must not crash the process either: the query in flight rejects anyway.
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
    kept.set(connectionString, pool);
  }
  const client = await pool.connect();
  try {
    // A pool's clients are pg.Clients: the pool makes them.
    return await fn(client as unknown as pg.Client);
  } finally {
    client.release(await reset(client));
  }
}

/** A kept session made as new; the error that stopped it, if any (the connection is then closed). */
async function reset(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query("discard all");
  } catch {
    // Inside a transaction, or an aborted one, that the work left open.
    try {
      await client.query("rollback");
      await client.query("discard all");
    } catch (error) {
      return error as Error;
    }
  }
  return undefined;
}

/**
 * An owner's client; `replication: "database"` makes it a replication connection (a startup
 * parameter pg passes on; its types leave it out).
 */
function ownerClient(
  connectionString: string,
  options: { replication?: "database" } = {},
): pg.Client {
  const client = new pg.Client({ connectionString, ...options } as pg.ClientConfig);
  // A connection lost while idle must not crash the process; the query in flight rejects anyway.
  client.on("error", (error) => console.error("owner connection:", error.message));
  return client;
}

/**
 * `fn` with `count` more connections to the database, each in a read-only transaction that
 * imports the snapshot of `client`'s (a REPEATABLE READ transaction, open until `fn` returns),
 * so reads of one consistent state go side by side. The readers end with `fn`.
 */
export async function withSnapshotReaders<T>(
  connectionString: string,
  client: pg.Client,
  count: number,
  fn: (readers: pg.Client[]) => Promise<T>,
): Promise<T> {
  if (count <= 0) return fn([]);
  const { rows } = await client.query<{ id: string }>("select pg_export_snapshot() as id");
  const readers: pg.Client[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const reader = ownerClient(connectionString);
      await reader.connect();
      readers.push(reader);
      await reader.query("begin isolation level repeatable read read only");
      await reader.query(`set transaction snapshot '${rows[0].id.replace(/'/g, "''")}'`);
    }
    return await fn(readers);
  } finally {
    // Ending a connection ends its transaction: these only read.
    await Promise.all(readers.map((r) => r.end().catch(() => undefined)));
  }
}

/**
 * A logical replication slot `slot` (pgoutput) made on the database over a replication
 * connection, with its snapshot exported: `fn` gets the snapshot's name, which the database's
 * other connections import (SET TRANSACTION SNAPSHOT) to read exactly the state the slot's
 * changes follow. The snapshot lasts until `fn` returns; the slot stays (its subscriber, or
 * whoever cleans up, drops it). Should this process die, the connection goes with it and the
 * slot is left inactive, to be dropped.
 */
export async function withExportedSlot<T>(
  connectionString: string,
  slot: string,
  fn: (snapshot: string) => Promise<T>,
): Promise<T> {
  const client = ownerClient(connectionString, { replication: "database" });
  await client.connect();
  try {
    const { rows } = await client.query<{ snapshot_name: string }>(
      `CREATE_REPLICATION_SLOT ${slot} LOGICAL pgoutput (SNAPSHOT 'export')`,
    );
    return await fn(rows[0].snapshot_name);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `fn` in one transaction: committed when it returns, rolled back when it throws. */
export function inOwnerTransaction<T>(
  connectionString: string,
  fn: (client: pg.Client, tx: NodePgDatabase) => Promise<T>,
): Promise<T> {
  return withOwnerClient(connectionString, async (client) => {
    await client.query("begin");
    try {
      const result = await fn(client, drizzle(client));
      await client.query("commit");
      return result;
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    }
  });
}

/**
 * A read across customers on an owner's client: as the platform role (it reads past RLS, and
 * only reads), in a read-only transaction undone after.
 */
export async function readAsPlatform<T>(client: pg.Client, read: () => Promise<T>): Promise<T> {
  await client.query("begin read only");
  try {
    await client.query("set local role tenantry_platform");
    return await read();
  } finally {
    await client.query("rollback");
  }
}
