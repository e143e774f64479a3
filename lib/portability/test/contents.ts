// For the tests of archives and moves: a customer's rows on a database, table by table, and as
// that database's row counters hold them.
import { withOwnerClient } from "@/db/owner";
import { readTable } from "../export";
import { customerTables } from "../tables";

/** Each customer table's rows and checksum for `customer`, read by the owner with a filter. */
export function contentsOf(ownerUrl: string, customer: string) {
  return withOwnerClient(ownerUrl, async (client) => {
    const result: Record<string, { rows: number; checksum: string }> = {};
    for (const t of await customerTables(client))
      result[`${t.schema}.${t.table}`] = await readTable(client, t, {
        where: `tenant_id = '${customer}'`,
      });
    return result;
  });
}

/** The customer's rows on a database as its row counters hold them (lib/usage/counters.ts). */
export const countedRowsOf = (ownerUrl: string, customer: string) =>
  withOwnerClient(ownerUrl, async (c) => {
    const { rows } = await c.query<{ n: string }>(
      "select coalesce(sum(n), 0)::text as n from tally.counts where customer_id = $1",
      [customer],
    );
    return Number(rows[0].n);
  });

/** Whether every table holds none of the customer's rows. */
export const emptyOf = (contents: Record<string, { rows: number }>) =>
  Object.values(contents).every((t) => t.rows === 0);
