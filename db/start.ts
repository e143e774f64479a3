// `npm start [-- --demo]`: the console on its embedded database (no DATABASE_URL) or on a real
// server. Starts the database if embedded, migrates, checks isolation, seeds the demo (on the
// embedded database's first start, or with --demo into a database without users, never by
// default on a real one), builds if needed, starts the console's server and prints its URL and
// the sign-in; Ctrl-C stops it all.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createPool, setAppPool } from "./client";
import { APP_LOGIN_ROLE, appDatabaseUrl, readDatabaseEnv } from "./env";
import { checkIsolation, describeFailures } from "./guard";
import { runMigrations } from "./migrate";
import { DEMO_PASSWORD, DEMO_SUPER_ADMIN, DemoRefusedError, hasUsers, prepareDemo, seedDemo } from "./seed";
import { hasSuperAdmin } from "../lib/auth/super-admins";

const root = path.resolve(import.meta.dirname, "..");
const port = Number(process.env.PORT ?? 3000);
const children: ChildProcess[] = [];

function fail(message: string): never {
  console.error(`\n${message}\n`);
  shutdown(1);
  throw new Error(message);
}

function shutdown(code: number) {
  for (const child of children.reverse()) if (child.exitCode === null) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 200).unref();
  if (children.every((c) => c.exitCode !== null)) process.exit(code);
}

process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

async function startEmbedded(): Promise<{ ownerUrl: string; appUrl: string }> {
  const pgPort = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
  const dataDir = process.env.TENANTRY_DATA_DIR ?? path.join(root, ".data", "pglite");
  const shown = path.relative(root, dataDir);
  console.log(`Starting the embedded PostgreSQL (PGlite, data in ${shown && !shown.startsWith("..") ? shown : dataDir}) …`);
  const child = fork(path.join(import.meta.dirname, "embedded.ts"), {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, TENANTRY_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`the embedded PostgreSQL exited (code ${code}); is port ${pgPort} free?`)));
  });
  const base = `postgres://%s@127.0.0.1:${pgPort}/postgres`;
  return { ownerUrl: base.replace("%s", "postgres"), appUrl: base.replace("%s", APP_LOGIN_ROLE) };
}

/** AUTH_SECRET from the environment, or one made on first start and kept in .data/. */
function authSecret(): string {
  if (process.env.AUTH_SECRET) return process.env.AUTH_SECRET;
  const file = path.join(root, ".data", "auth-secret");
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

async function main() {
  const env = readDatabaseEnv();
  const embedded = !env.DATABASE_URL;
  const { ownerUrl, appUrl } = embedded
    ? await startEmbedded()
    : { ownerUrl: env.DATABASE_URL!, appUrl: appDatabaseUrl(env) };

  await runMigrations(ownerUrl, { appPassword: env.APP_DATABASE_PASSWORD }).catch((error: Error) =>
    fail(`Migrations failed: ${error.message}`),
  );

  // The embedded database is the demo's own: seeded on its first start. A real database gets
  // the demo only when asked, and only while it has no users.
  const demo = args.demo || (embedded && !(await hasUsers(ownerUrl)));
  if (demo) {
    await prepareDemo(ownerUrl, (line) => console.log(line)).catch((error: Error) =>
      fail(error instanceof DemoRefusedError ? `${error.message} Start without --demo.` : `The demo failed: ${error.message}`),
    );
  }

  // PGlite takes one connection at a time here: this pool closes before Next opens its own.
  const pool = createPool(appUrl, { max: 1, sessionRole: embedded ? APP_LOGIN_ROLE : undefined });
  setAppPool(pool);
  let signInHint: string;
  try {
    const client = await pool.connect();
    const report = await checkIsolation(client).finally(() => client.release());
    if (!report.ok) fail(`Tenantry refuses to serve: tenant isolation is not in force.\n${describeFailures(report)}`);
    if (demo && (await seedDemo())) console.log("Seeded the demo: a super-admin and three customers.");
    signInHint = (await hasSuperAdmin())
      ? embedded || args.demo
        ? `demo sign-in: ${DEMO_SUPER_ADMIN} / ${DEMO_PASSWORD}`
        : "sign in with your super-admin account"
      : "no super-admin yet: create the first with `npm run admin:create -- --email you@example.com`";
  } finally {
    setAppPool(undefined);
    await pool.end();
  }
  if (signInHint.startsWith("no super-admin")) console.log(`\n${signInHint[0].toUpperCase()}${signInHint.slice(1)}.\n`);

  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    console.log("Building the console (first start only) …");
    const code = await new Promise<number | null>((resolve) => {
      const build = spawn(path.join(root, "node_modules", ".bin", "next"), ["build"], { cwd: root, stdio: "inherit" });
      children.push(build);
      build.on("exit", resolve);
    });
    if (code !== 0) fail("The build failed; see above.");
  }

  const next = spawn(process.execPath, ["--import", "tsx", path.join(root, "lib", "http", "serve.ts")], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: ownerUrl,
      APP_DATABASE_URL: appUrl,
      TENANTRY_EMBEDDED: embedded ? "1" : "0",
      AUTH_SECRET: authSecret(),
      NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
      DB_POOL_SIZE: embedded ? "1" : String(env.DB_POOL_SIZE),
    },
  });
  children.push(next);
  next.stdout!.pipe(process.stdout);
  next.on("exit", (code) => {
    if (code !== 0 && code !== null) console.error(`The console stopped (exit code ${code}).`);
    shutdown(code ?? 0);
  });
  next.stdout!.on("data", function announce(chunk: Buffer) {
    if (!/Ready in/.test(chunk.toString())) return;
    next.stdout!.off("data", announce);
    console.log(
      `\nTenantry is running at http://localhost:${port}\n` +
        `  database: ${embedded ? "embedded PGlite" : "DATABASE_URL"}\n` +
        `  ${signInHint}\n` +
        "  Ctrl-C stops it.\n",
    );
  });
}

main().catch((error: Error) => fail(error.message));
