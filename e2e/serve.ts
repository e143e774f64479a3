// The e2e server: a fresh database (from TEST_DATABASE_URL's server), migrated and seeded with
// the demo, with a second database registered for moves, then `next start` on the build that
// `npm run test:e2e` has just made.
import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { createPool, setAppPool } from "../db/client";
import { runMigrations } from "../db/migrate";
import { DEMO_SAMPLE_ROWS, generateSample } from "../db/sample/generate";
import { seedDemo } from "../db/seed";
import { createDatabase, dropDatabases } from "../db/test/databases";
import { syncDatabase } from "../lib/databases/sync";
import { sealSecret } from "../lib/auth/totp";
import { SERVE_ARGS } from "../lib/http/serve-args";
import { E2E_SUPER_ADMIN_TOTP_SECRET, E2E_TOTP_ENCRYPTION_KEY } from "./auth/secrets";

const name = process.env.E2E_DATABASE!;
// A set-up that fails drops what it made at once, rather than leaving it to the next run's
// dropEndedRuns.
const database = await setUp().catch(async (error: Error) => {
  await dropDatabases(name).catch((dropError: Error) =>
    console.error(`Could not drop ${name}: ${dropError.message}`),
  );
  throw error;
});

async function setUp() {
  const database = await createDatabase(name);
  await runMigrations(database.ownerUrl, { appPassword: process.env.TEST_APP_PASSWORD });
  await generateSample(database.ownerUrl, { rows: DEMO_SAMPLE_ROWS });
  const pool = createPool(database.appUrl, { max: 2 });
  setAppPool(pool);
  await seedDemo();
  await pool.end();

  // A second, dedicated database for moves (issue #16): registered and synced as an operator
  // would (npm run databases -- add/sync); its name starts with the run's, so it is dropped with it.
  const dedicated = await createDatabase(`${name}_dedicated`);
  process.env.E2E_DEDICATED_URL = dedicated.ownerUrl;
  process.env.E2E_DEDICATED_URL_APP = dedicated.appUrl;
  const owner = new pg.Client({ connectionString: database.ownerUrl });
  await owner.connect();
  // The demo super-admin signs in with a second factor, as every super-admin must: enrolled here
  // with a secret the specs know (e2e/auth/helpers.ts computes its codes).
  process.env.TOTP_ENCRYPTION_KEY = E2E_TOTP_ENCRYPTION_KEY;
  await owner.query(
    `insert into control.two_factor (user_id, secret, enabled_at)
     select id, $1, now() from control.users where email = 'admin@tenantry.local'`,
    [sealSecret(E2E_SUPER_ADMIN_TOTP_SECRET)],
  );
  await owner.query(
    "insert into control.databases (name, kind, env_var) values ('dedicated-1', 'dedicated', 'E2E_DEDICATED_URL')",
  );
  await owner.end();
  await syncDatabase(database.ownerUrl, dedicated.ownerUrl, {
    appPassword: process.env.TEST_APP_PASSWORD,
  });
  return database;
}

const root = path.resolve(import.meta.dirname, "..");
const next = spawn(process.execPath, SERVE_ARGS, {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    DATABASE_URL: database.ownerUrl,
    APP_DATABASE_URL: database.appUrl,
    // A fixed secret, for tests only.
    AUTH_SECRET: "e2e-only-secret-not-for-any-real-deployment",
    NEXTAUTH_URL: `http://localhost:${process.env.PORT ?? "3210"}`,
    // The specs count exports; scheduled backups (exports too) stay off.
    BACKUP_EVERY_HOURS: "0",
  },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => next.kill(signal));
// The run's databases go once the server that used them has stopped: Playwright's global
// teardown runs while its web servers still do (a run killed outright leaves them to the next
// test run's dropEndedRuns).
next.on("exit", (code) => {
  void dropDatabases(name)
    .catch((error: Error) => console.error(`Could not drop ${name}: ${error.message}`))
    .finally(() => process.exit(code ?? 0));
});
