// The embedded demo's second database (docs/architecture.md §13): `tenantry_dedicated` on the
// same embedded server, registered as dedicated-1 and synced at every start, so a newcomer can
// move a customer in the demo. Its URLs reach the console through the variable the registry
// names (TENANTRY_DEDICATED_URL, and _APP for the app's login), as any database's would.
import type { EmbeddedServer } from "@/db/embedded";
import { withOwnerClient } from "@/db/owner";
import { ident } from "../adoption/sql";
import { syncDatabase } from "./sync";

export const DEMO_DEDICATED = {
  name: "dedicated-1",
  database: "tenantry_dedicated",
  envVar: "TENANTRY_DEDICATED_URL",
};

/** Makes, registers and syncs the demo's dedicated database; the environment the console needs. */
export async function prepareDemoDedicated(
  server: EmbeddedServer,
  primaryUrl: string,
): Promise<Record<string, string>> {
  await withOwnerClient(server.serverUrl, async (client) => {
    const { rows } = await client.query("select 1 from pg_database where datname = $1", [
      DEMO_DEDICATED.database,
    ]);
    if (!rows.length) await client.query(`create database ${ident(DEMO_DEDICATED.database)}`);
  });
  const on = (url: string) => {
    const u = new URL(url);
    u.pathname = `/${DEMO_DEDICATED.database}`;
    return u.toString();
  };
  const ownerUrl = on(server.ownerUrl);
  await withOwnerClient(primaryUrl, (client) =>
    client.query(
      "insert into control.databases (name, kind, env_var) values ($1, 'dedicated', $2) on conflict (name) do nothing",
      [DEMO_DEDICATED.name, DEMO_DEDICATED.envVar],
    ),
  );
  await syncDatabase(primaryUrl, ownerUrl, { appPassword: server.appPassword });
  return {
    [DEMO_DEDICATED.envVar]: ownerUrl,
    [`${DEMO_DEDICATED.envVar}_APP`]: on(server.appUrl),
  };
}
