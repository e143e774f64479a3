// npm run demo -- seed
// Puts the demo (its super-admin, customers and the sample legacy data plane) into the database
// in DATABASE_URL without starting the console, e.g. for a staging database. Migrates first;
// refused, with a sentence, when the database already has console users.
import { parseArgs } from "node:util";
import { ownerDatabaseUrl, readDatabaseEnv } from "@/db/env";
import { runMigrations } from "@/db/migrate";
import { DEMO_PASSWORD, DEMO_SUPER_ADMIN, seedDemoDatabase } from "@/db/seed";
import { closeDatabase } from "@/db/tenant";

const USAGE = "Usage: npm run demo -- seed   (into the database in DATABASE_URL)";

async function main(): Promise<number> {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  if (positionals.length !== 1 || positionals[0] !== "seed") {
    console.error(USAGE);
    return 2;
  }
  const env = readDatabaseEnv();
  const ownerUrl = ownerDatabaseUrl(env);
  if (!ownerUrl) {
    console.error(
      "Set DATABASE_URL to the database to seed (its owner's connection). The embedded database seeds itself on first `npm start`.",
    );
    return 2;
  }
  await runMigrations(ownerUrl, { appPassword: env.APP_DATABASE_PASSWORD });
  await seedDemoDatabase(ownerUrl, (line) => console.log(line));
  console.log(`Demo sign-in: ${DEMO_SUPER_ADMIN} / ${DEMO_PASSWORD}`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
