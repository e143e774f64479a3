// Database settings from the environment, validated once (docs/conventions.md §3).
import { z } from "zod";

const schema = z.object({
  DATABASE_URL: z.url({ message: "DATABASE_URL must be a postgres:// URL" }).optional(),
  APP_DATABASE_URL: z.url({ message: "APP_DATABASE_URL must be a postgres:// URL" }).optional(),
  APP_DATABASE_PASSWORD: z.string().optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

export type DatabaseEnv = z.infer<typeof schema>;

export function readDatabaseEnv(env: NodeJS.ProcessEnv = process.env): DatabaseEnv {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `Invalid database configuration: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  }
  return parsed.data;
}

/** The URL the app logs in with: APP_DATABASE_URL, or DATABASE_URL with the user swapped for tenantry_app. */
export function appDatabaseUrl(env: DatabaseEnv): string {
  if (env.APP_DATABASE_URL) return env.APP_DATABASE_URL;
  if (!env.DATABASE_URL) {
    throw new Error(
      "No database configured: set DATABASE_URL (and optionally APP_DATABASE_URL), or run `npm start`.",
    );
  }
  const url = new URL(env.DATABASE_URL);
  url.username = APP_LOGIN_ROLE;
  url.password = env.APP_DATABASE_PASSWORD ?? "";
  return url.toString();
}

export const APP_LOGIN_ROLE = "tenantry_app";

/** The owner's URL (DATABASE_URL), for the work only the schema's owner may do; null when unset. */
export function ownerDatabaseUrl(env: DatabaseEnv = readDatabaseEnv()): string | null {
  return env.DATABASE_URL ?? null;
}
