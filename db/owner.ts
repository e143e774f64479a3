// Connections as the owner, for the work that must be the owner's (migrations, the sample data
// plane, audit retention, adoption): one client for the work, always closed; a transaction when
// asked.
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
