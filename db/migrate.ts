// Applies the committed SQL migrations as the owner (docs/architecture.md §3).
// Run directly: `npm run db:migrate` with DATABASE_URL set.
import path from "node:path";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { withOwnerClient } from "./owner";

/**
 * The committed migrations. Beside this file; inside the console's server bundle, where a
 * module has no folder of its own, under the working directory (the repository's root).
 */
export const migrationsFolder = () =>
  path.join(import.meta.dirname ?? path.join(process.cwd(), "db"), "migrations");

export async function runMigrations(ownerUrl: string, options: { appPassword?: string } = {}) {
  await withOwnerClient(ownerUrl, async (client) => {
    // Silence the NOTICEs of idempotent DDL; errors still throw.
    await client.query("set client_min_messages = warning");
    await migrate(drizzle(client), { migrationsFolder: migrationsFolder() });
    if (options.appPassword) {
      await client.query(
        `alter role tenantry_app password ${client.escapeLiteral(options.appPassword)}`,
      );
    }
  });
}

if (import.meta.filename === process.argv[1]) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("Set DATABASE_URL to the owner's connection string.");
    process.exit(1);
  }
  runMigrations(url, { appPassword: process.env.APP_DATABASE_PASSWORD })
    .then(() => console.log("Migrations applied."))
    .catch((error: Error) => {
      console.error(`Migration failed: ${error.message}`);
      process.exit(1);
    });
}
