// The placement guard on a database's customer tables (docs/architecture.md §13): a statement
// trigger that makes every write of the app's roles wait out a move's freeze of the customer and
// refuses the writes of a customer that has moved away (migration 0032 makes its function on
// every database). Made when a customer moves, on both sides, and by sync — only on the tables
// that lack it (making it takes a lock that holds writers back for a moment).
import "server-only";
import type { OwnerClient } from "@/db/owner";
import { customerTables, qualifiedName, type CustomerTable } from "@/lib/portability/tables";

export async function ensurePlacementGuards(
  client: OwnerClient,
  known?: CustomerTable[],
): Promise<number> {
  const tables = known ?? (await customerTables(client));
  const { rows } = await client.query<{ schema: string; table: string }>(
    `select n.nspname as schema, c.relname as table
       from pg_trigger g join pg_class c on c.oid = g.tgrelid join pg_namespace n on n.oid = c.relnamespace
      where g.tgname = 'placement_guard'`,
  );
  const guarded = new Set(rows.map((r) => qualifiedName(r)));
  for (const t of tables.filter((t) => !guarded.has(qualifiedName(t))))
    await client.query(
      `create or replace trigger placement_guard before insert or update or delete on ${qualifiedName(t)}
         for each statement execute function placement.guard_writes()`,
    );
  return tables.length;
}
