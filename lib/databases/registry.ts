// The registry of data-plane databases (docs/architecture.md §13): adding one (its variable must
// hold a URL that answers), listing them with what they hold, removing an empty one, and what a
// database says about itself (version, wal_level, size, replication slots, the guard's checks).
import "server-only";
import { checkIsolation, type GuardReport } from "@/db/guard";
import { databasePool, ownerUrlOf, PRIMARY_DATABASE, type DatabaseEntry } from "@/db/databases";
import { readAsPlatform, withOwnerClient } from "@/db/owner";
import { EXACT_TOTAL_UP_TO } from "@/lib/lists/keyset";
import { addDatabaseSchema } from "./schemas";
import type { z } from "zod";

export class RegistryError extends Error {}

export interface RegisteredDatabase extends DatabaseEntry {
  kind: string;
  status: string;
  /** Its customers, counted up to one past EXACT_TOTAL_UP_TO (customerCount says which). */
  customers: number;
}

/** A database's customers as listDatabases counted them: exactly, or past the bound. */
export function customerCount(entry: RegisteredDatabase): string {
  return entry.customers > EXACT_TOTAL_UP_TO
    ? `more than ${EXACT_TOTAL_UP_TO}`
    : String(entry.customers);
}

export async function listDatabases(ownerUrl: string): Promise<RegisteredDatabase[]> {
  return withOwnerClient(ownerUrl, (client) =>
    // Across customers: the platform role reads past RLS, and only reads.
    readAsPlatform(client, async () => {
      const { rows } = await client.query<RegisteredDatabase>(
        `select d.name, d.kind, d.status, d.env_var as "envVar",
                (select count(*)::int from (select from control.customers c where c.database = d.name limit $2) placed) as customers
           from control.databases d order by d.name <> $1, d.name`,
        [PRIMARY_DATABASE, EXACT_TOTAL_UP_TO + 1],
      );
      return rows;
    }),
  );
}

export async function addDatabase(
  ownerUrl: string,
  input: z.input<typeof addDatabaseSchema>,
): Promise<RegisteredDatabase> {
  const parsed = addDatabaseSchema.safeParse(input);
  if (!parsed.success) throw new RegistryError(parsed.error.issues[0].message);
  const entry = parsed.data;
  let url: string;
  try {
    url = ownerUrlOf(entry);
  } catch (error) {
    throw new RegistryError((error as Error).message);
  }
  await withOwnerClient(url, (client) => client.query("select 1")).catch((error: Error) => {
    throw new RegistryError(
      `${entry.envVar} does not reach a database (${error.message}); nothing was registered.`,
    );
  });
  return withOwnerClient(ownerUrl, async (client) => {
    const { rowCount } = await client.query(
      "insert into control.databases (name, kind, env_var) values ($1, $2, $3) on conflict (name) do nothing",
      [entry.name, entry.kind, entry.envVar],
    );
    if (!rowCount) throw new RegistryError(`A database named ${entry.name} is registered already.`);
    return { ...entry, status: "active", customers: 0 };
  });
}

export async function removeDatabase(ownerUrl: string, name: string): Promise<void> {
  if (name === PRIMARY_DATABASE)
    throw new RegistryError("The primary database holds the control plane: it stays.");
  const found = (await listDatabases(ownerUrl)).find((d) => d.name === name);
  if (!found) throw new RegistryError(`No database named ${name} is registered.`);
  if (found.customers > 0)
    throw new RegistryError(
      `${name} holds ${customerCount(found)} customers: move them elsewhere first (npm run move).`,
    );
  await withOwnerClient(ownerUrl, (client) =>
    client.query("delete from control.databases where name = $1", [name]),
  );
}

export interface DatabaseHealth {
  reachable: boolean;
  error: string | null;
  version: string | null;
  walLevel: string | null;
  bytes: number | null;
  slots: { name: string; active: boolean; retainedBytes: number | null }[];
  isolation: GuardReport | null;
}

/** The database's replication slots as JSON: name, active, and the WAL each holds back. */
const SLOTS = `coalesce((select json_agg(json_build_object('name', slot_name, 'active', active,
                 'retainedBytes', pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)) order by slot_name)
         from pg_replication_slots where database = current_database()), '[]')`;

/** A registered database's replication slots alone (the alerts' worker asks every minute). */
export async function replicationSlots(entry: DatabaseEntry): Promise<DatabaseHealth["slots"]> {
  const { rows } = await databasePool(entry).query<{ slots: DatabaseHealth["slots"] }>(
    `select ${SLOTS} as slots`,
  );
  return rows[0].slots;
}

/** What a registered database says about itself, through the app's own login there. */
export async function databaseHealth(entry: DatabaseEntry): Promise<DatabaseHealth> {
  let client;
  try {
    client = await databasePool(entry).connect();
  } catch (error) {
    return {
      reachable: false,
      error: (error as Error).message,
      version: null,
      walLevel: null,
      bytes: null,
      slots: [],
      isolation: null,
    };
  }
  try {
    const { rows } = await client.query<{
      version: string;
      wal_level: string;
      bytes: string;
      slots: DatabaseHealth["slots"];
    }>(
      `select current_setting('server_version') as version, current_setting('wal_level') as wal_level,
              pg_database_size(current_database())::text as bytes, ${SLOTS} as slots`,
    );
    return {
      reachable: true,
      error: null,
      version: rows[0].version,
      walLevel: rows[0].wal_level,
      bytes: Number(rows[0].bytes),
      slots: rows[0].slots,
      isolation: await checkIsolation(client),
    };
  } finally {
    client.release();
  }
}
