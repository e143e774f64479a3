// Where a customer's data plane is, for the owner's work on it (export, restore, erase): the
// owner's URL of its registered database, the primary's being the one given (docs/architecture.md
// §13). An unknown customer is on the primary: that is where a new one starts.
import "server-only";
import { ownerUrlIn, type DatabaseEntry } from "@/db/databases";
import { readAsPlatform, withOwnerClient } from "@/db/owner";

export async function dataPlaneUrl(primaryUrl: string, customerId: string): Promise<string> {
  const entry = await withOwnerClient(primaryUrl, (client) =>
    readAsPlatform(client, async () => {
      const { rows } = await client.query<DatabaseEntry>(
        `select d.name, d.env_var as "envVar" from control.customers c
           join control.databases d on d.name = c.database where c.id = $1`,
        [customerId],
      );
      return rows[0];
    }),
  );
  return entry ? ownerUrlIn(primaryUrl, entry) : primaryUrl;
}
