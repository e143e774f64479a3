// Fresh PostgreSQL databases for tests: one migrated template per run, then a copy per test
// file, so a file may change the catalog (e.g. drop FORCE) without touching any other.
// The server: TEST_DATABASE_URL, else the local one on 5432, else an embedded server that the
// run starts itself (db/test/server.ts), which sets TEST_DATABASE_URL and TEST_APP_PASSWORD for
// everything the run starts after it. Read when used, not when imported, for that reason.
import pg from "pg";
import { APP_LOGIN_ROLE } from "../env";

export const LOCAL_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? LOCAL_SERVER_URL;
}

/** A database on the test server, as its owner or as `user` (the app's login, with its password). */
export function databaseUrl(name: string, user?: string): string {
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  if (user) {
    url.username = user;
    url.password = process.env.TEST_APP_PASSWORD ?? "";
  }
  return url.toString();
}

/** `fn` on a connection to the test server (its `postgres` database, or `database`) as its owner. */
export async function withServer<T>(
  fn: (client: pg.Client) => Promise<T>,
  database?: string,
): Promise<T> {
  const client = new pg.Client({
    connectionString: database ? databaseUrl(database) : testServerUrl(),
  });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `Cannot reach the test PostgreSQL at ${new URL(testServerUrl()).host} (${(error as Error).message}). ` +
        "Start it, or point TEST_DATABASE_URL at a server where this user may create databases.",
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  ownerUrl: string;
  appUrl: string;
}

export async function createDatabase(name: string, template?: string): Promise<TestDatabase> {
  await withServer(async (client) => {
    const from = template ? ` template ${pg.escapeIdentifier(template)}` : "";
    // Two copies of one template at the same instant can collide on the template's lock.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`create database ${pg.escapeIdentifier(name)}${from}`);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message))
          throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  });
  return { name, ownerUrl: databaseUrl(name), appUrl: databaseUrl(name, APP_LOGIN_ROLE) };
}

export async function dropDatabases(prefix: string): Promise<void> {
  await withServer(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "select datname from pg_database where starts_with(datname, $1)",
      [prefix],
    );
    for (const { datname } of rows)
      await client.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`);
  });
}

/**
 * A run's database by name, with the process ID of the run (a vitest run's, `tenantry_t<pid>_…`, or
 * an end-to-end run's, `tenantry_e2e_<pid>_…`); the server's regular expressions read it alike.
 */
const RUN_DATABASE = /^tenantry_(?:t|e2e_)(\d+)_/;

/**
 * Drops the databases of earlier runs on this machine whose process is gone (a run killed before
 * its teardown leaves its template and copies behind; an end-to-end run killed outright, its
 * database and the dedicated one). Only on a server of this machine: on a
 * shared one, another machine's process IDs mean nothing here.
 */
export async function dropEndedRuns(): Promise<string[]> {
  if (!["127.0.0.1", "localhost", "[::1]"].includes(new URL(testServerUrl()).hostname)) return [];
  return withServer(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "select datname from pg_database where datname ~ $1",
      [RUN_DATABASE.source],
    );
    const ended = rows
      .map((r) => r.datname)
      .filter((name) => !running(Number(RUN_DATABASE.exec(name)![1])));
    for (const name of ended) {
      const drop = () =>
        client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      await drop()
        .catch(async (error: Error & { code?: string }) => {
          // A move killed mid-way leaves its subscription, which a database cannot be dropped with.
          if (error.code !== "55006") throw error;
          await withServer(async (db) => {
            const { rows: subs } = await db.query<{ subname: string }>(
              "select subname from pg_subscription where subdbid = (select oid from pg_database where datname = current_database())",
            );
            for (const { subname } of subs) {
              const sub = pg.escapeIdentifier(subname);
              await db.query(`alter subscription ${sub} disable`);
              await db.query(`alter subscription ${sub} set (slot_name = none)`);
              await db.query(`drop subscription ${sub}`);
            }
          }, name);
          await drop();
        })
        .catch((error: Error) =>
          console.warn(`Could not drop ${name}, left by an ended run: ${error.message}`),
        );
    }
    return ended;
  });
}

/** Whether a process runs with this ID here (one this user may not signal runs too). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
