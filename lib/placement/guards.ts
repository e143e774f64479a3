// The placement guard on a database's customer tables (docs/architecture.md §13): a statement
// trigger that makes every write of the app's roles wait out a move's freeze of the customer and
// refuses the writes of a customer that has moved away (migration 0032 makes its function on
// every database). Made when a customer moves, on both sides, and by sync.
import "server-only";
import type { OwnerClient } from "@/db/owner";
import { customerTables, qualifiedName } from "@/lib/portability/tables";

export async function ensurePlacementGuards(client: OwnerClient): Promise<number> {
  const tables = await customerTables(client);
  for (const t of tables)
    await client.query(
      `create or replace trigger placement_guard before insert or update or delete on ${qualifiedName(t)}
         for each statement execute function placement.guard_writes()`,
    );
  return tables.length;
}
