import { dropDatabases } from "../db/test/databases";

export default async function teardown() {
  if (process.env.E2E_DATABASE) await dropDatabases(process.env.E2E_DATABASE);
}
