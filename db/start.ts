// `npm start [-- --demo]`: the console on its embedded PostgreSQL (no DATABASE_URL) or on a real
// server. Starts the embedded server if there is no DATABASE_URL, migrates, checks isolation,
// seeds the demo (on the embedded database's first start, or with --demo into a database
// without users, never by default on a real one), builds when there is no build or its sources
// changed since (lib/http/build.ts), starts the console's server and prints its URL and the
// sign-in; Ctrl-C stops it all, the embedded server last.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createPool, setAppPool } from "./client";
import {
  DEFAULT_EMBEDDED_PORT,
  InUseError,
  startEmbeddedServer,
  type EmbeddedServer,
} from "./embedded";
import { appDatabaseUrl, readDatabaseEnv } from "./env";
import { checkIsolation, describeFailures } from "./guard";
import { runMigrations } from "./migrate";
import {
  DEMO_PASSWORD,
  DEMO_SUPER_ADMIN,
  DemoRefusedError,
  hasUsers,
  prepareDemo,
  seedDemo,
} from "./seed";
import { hasSuperAdmin } from "../lib/auth/super-admins";
import { whyBuild } from "../lib/http/build";
import { cannotListenOn, SERVE_ARGS } from "../lib/http/serve-args";
import { prepareDemoDedicated } from "../lib/databases/demo";

const root = path.resolve(import.meta.dirname, "..");
const port = Number(process.env.PORT ?? 3000);
const dataDir = path.resolve(process.env.TENANTRY_DATA_DIR ?? path.join(root, ".data"));
const children: ChildProcess[] = [];
let embedded: EmbeddedServer | undefined;
let stopping = false;

function fail(message: string): never {
  console.error(`\n${message}\n`);
  void shutdown(1);
  throw new Error(message);
}

/** Stops the console first (it holds connections), then the embedded server, then exits. */
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
          setTimeout(resolve, 5_000).unref();
        }),
    ),
  );
  await embedded
    ?.stop()
    .catch((error: Error) =>
      console.error(`The embedded PostgreSQL did not stop cleanly: ${error.message}`),
    );
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

function shown(folder: string): string {
  const relative = path.relative(root, folder);
  return relative && !relative.startsWith("..") ? relative : folder;
}

/** A secret from the environment, or one made on first start and kept in the data folder. */
function keptSecret(variable: "AUTH_SECRET" | "TOTP_ENCRYPTION_KEY", fileName: string): string {
  if (process.env[variable]) return process.env[variable];
  const file = path.join(dataDir, fileName);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

const USAGE = "Usage: npm start [-- --demo]";

function readArgs(): { demo: boolean } {
  try {
    const { values } = parseArgs({ options: { demo: { type: "boolean", default: false } } });
    return { demo: values.demo! };
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`);
  }
}

const args = readArgs();

/**
 * Why the console could not listen on `port` (as serve.ts will: every interface), if it could
 * not: asked before anything starts, so a port taken fails in a second, not after migrations.
 */
function cannotListen(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    probe.listen(port, () => probe.close(() => resolve(null)));
  });
}

async function main() {
  const refused = await cannotListen(port);
  if (refused) fail(cannotListenOn(port, refused));
  const env = readDatabaseEnv();
  let ownerUrl: string;
  let appUrl: string;
  let appPassword = env.APP_DATABASE_PASSWORD;
  if (env.DATABASE_URL) {
    ownerUrl = env.DATABASE_URL;
    appUrl = appDatabaseUrl(env);
  } else {
    const pgPort = Number(process.env.EMBEDDED_PG_PORT ?? DEFAULT_EMBEDDED_PORT);
    console.log(
      `Starting the embedded PostgreSQL (data in ${shown(path.join(dataDir, "postgres"))}, port ${pgPort}) …`,
    );
    embedded = await startEmbeddedServer({
      dataDir,
      port: pgPort,
      log: (line) => console.log(line),
    }).catch((error: Error) =>
      fail(
        error instanceof InUseError
          ? `Another start is serving this data folder: ${error.message}. Stop it (Ctrl-C there), or start this one with another TENANTRY_DATA_DIR.`
          : `The embedded PostgreSQL failed: ${error.message}`,
      ),
    );
    ({ ownerUrl, appUrl, appPassword } = embedded);
  }
  const isEmbedded = embedded !== undefined;

  await runMigrations(ownerUrl, { appPassword }).catch((error: Error) =>
    fail(`Migrations failed: ${error.message}`),
  );

  // The embedded database is the demo's own: seeded on its first start. A real database gets
  // the demo only when asked, and only while it has no users.
  const demo = args.demo || (isEmbedded && !(await hasUsers(ownerUrl)));
  if (demo) {
    await prepareDemo(ownerUrl, (line) => console.log(line)).catch((error: Error) =>
      fail(
        error instanceof DemoRefusedError
          ? `${error.message} Start without --demo.`
          : `The demo failed: ${error.message}`,
      ),
    );
  }

  // The embedded demo has a second, dedicated database to move customers to.
  const placementEnv = embedded
    ? await prepareDemoDedicated(embedded, ownerUrl).catch((error: Error) =>
        fail(`The demo's dedicated database failed: ${error.message}`),
      )
    : {};

  const pool = createPool(appUrl, { max: 2 });
  setAppPool(pool);
  let signInHint: string;
  try {
    const client = await pool.connect();
    const report = await checkIsolation(client).finally(() => client.release());
    if (!report.ok)
      fail(
        `Tenantry refuses to serve: tenant isolation is not in force.\n${describeFailures(report)}`,
      );
    if (demo && (await seedDemo()))
      console.log("Seeded the demo: a super-admin and three customers.");
    signInHint = (await hasSuperAdmin())
      ? isEmbedded || args.demo
        ? `demo sign-in: ${DEMO_SUPER_ADMIN} / ${DEMO_PASSWORD} (a super-admin sets up two-factor at the first sign-in: have an authenticator app at hand)`
        : "sign in with your super-admin account"
      : "no super-admin yet: create the first with `npm run admin:create -- --email you@example.com`";
  } finally {
    setAppPool(undefined);
    await pool.end();
  }
  if (signInHint.startsWith("no super-admin"))
    console.log(`\n${signInHint[0].toUpperCase()}${signInHint.slice(1)}.\n`);

  const stale = whyBuild(root);
  if (stale) {
    console.log(`Building the console (${stale}) …`);
    const code = await new Promise<number | null>((resolve) => {
      const build = spawn(path.join(root, "node_modules", ".bin", "next"), ["build"], {
        cwd: root,
        stdio: "inherit",
      });
      children.push(build);
      build.on("exit", resolve);
    });
    if (code !== 0) fail("The build failed; see above.");
  }

  // With an IPC channel: the console's server exits when this process goes, however it goes.
  const next = spawn(process.execPath, SERVE_ARGS, {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit", "ipc"],
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: ownerUrl,
      APP_DATABASE_URL: appUrl,
      AUTH_SECRET: keptSecret("AUTH_SECRET", "auth-secret"),
      // Seals the users' two-factor secrets: lose it, and every user enrols again.
      TOTP_ENCRYPTION_KEY: keptSecret("TOTP_ENCRYPTION_KEY", "totp-encryption-key"),
      NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
      DB_POOL_SIZE: String(env.DB_POOL_SIZE),
      ...placementEnv,
    },
  });
  children.push(next);
  next.stdout!.pipe(process.stdout);
  next.on("exit", (code) => {
    if (stopping) return;
    if (code !== 0 && code !== null) console.error(`The console stopped (exit code ${code}).`);
    void shutdown(code ?? 0);
  });
  next.stdout!.on("data", function announce(chunk: Buffer) {
    if (!/Ready in/.test(chunk.toString())) return;
    next.stdout!.off("data", announce);
    console.log(
      `\nTenantry is running at http://localhost:${port}\n` +
        `  database: ${isEmbedded ? `embedded PostgreSQL on 127.0.0.1:${embedded!.port} (${shown(path.join(dataDir, "postgres"))})` : "DATABASE_URL"}\n` +
        `  ${signInHint}\n` +
        "  Ctrl-C stops it.\n",
    );
  });
}

main().catch((error: Error) => fail(error.message));
