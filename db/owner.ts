// Connections as the owner, for the work that must be the owner's (migrations, the sample data
// plane, audit retention, adoption): one client for the work, always closed; a transaction when
// asked. Inside the console on the embedded PGlite, the app's one connection instead (below).
import { AsyncLocalStorage } from "node:async_hooks";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";

export type OwnerClient = pg.Client;

/**
 * True inside the console on the embedded PGlite. There, pglite-socket multiplexes every
 * connection onto PGlite's one session and interleaves their protocol messages, so two
 * connections in use at once can break each other's statements; owner work therefore shares
 * the app's one connection (see SharedSessionOwner) and cannot report progress while it runs.
 */
export function ownerConnectionsAreShared(): boolean {
  return process.env.TENANTRY_EMBEDDED === "1";
}

/**
 * The owner's client on the embedded PGlite: the app pool's one connection, whose session the
 * app has dropped to tenantry_app (db/client.ts). Setting the owner's role for the session would
 * lift the app's too, so this takes it per transaction only (SET ROLE is checked against the
 * session user, PGlite's superuser): after its BEGIN, and around each statement sent outside one.
 */
class SharedSessionOwner {
  private inTransaction = false;
  constructor(private readonly connection: pg.PoolClient) {}

  private asOwner() {
    return this.connection.query("select set_config('role', session_user, true)");
  }

  async query(config: string | pg.QueryConfig, values?: unknown[]) {
    const text = (typeof config === "string" ? config : config.text).trimStart().toLowerCase();
    const send = () => this.connection.query(config as string, values);
    if (/^(begin|start transaction)\b/.test(text)) {
      const result = await send();
      this.inTransaction = true;
      await this.asOwner();
      return result;
    }
    if (/^(commit|end|rollback)\b/.test(text) && !/^rollback\s+to\b/.test(text)) {
      this.inTransaction = false;
      return send();
    }
    if (this.inTransaction) return send();
    await this.connection.query("begin");
    try {
      await this.asOwner();
      const result = await send();
      await this.connection.query("commit");
      return result;
    } catch (error) {
      await this.connection.query("rollback").catch(() => undefined);
      throw error;
    }
  }
}

const sharedOwner = new AsyncLocalStorage<pg.Client>();

export async function withOwnerClient<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  if (ownerConnectionsAreShared()) {
    // Nested owner work (a run's transaction inside its progress client) shares the one connection.
    const active = sharedOwner.getStore();
    if (active) return fn(active);
    const { appPool } = await import("./client");
    const connection = await appPool().connect();
    try {
      const owner = new SharedSessionOwner(connection) as unknown as pg.Client;
      return await sharedOwner.run(owner, () => fn(owner));
    } finally {
      connection.release();
    }
  }
  const client = new pg.Client({ connectionString });
  // A connection lost while idle must not crash the process; the query in flight rejects anyway.
  client.on("error", (error) => console.error("owner connection:", error.message));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `fn` in one transaction: committed when it returns, rolled back when it throws. */
export function inOwnerTransaction<T>(connectionString: string, fn: (client: pg.Client, tx: NodePgDatabase) => Promise<T>): Promise<T> {
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
