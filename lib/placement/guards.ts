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
  // A partitioned table's partitions too: a statement on a partition fires its own statement
  // triggers only (migration 0069).
  const { rows } = await client.query<{ name: string; guarded: boolean }>(
    `select p.relid::regclass::text as name,
            exists (select 1 from pg_trigger g where g.tgrelid = p.relid and g.tgname = 'placement_guard') as guarded
       from unnest($1::regclass[]) r(oid)
       cross join lateral (select r.oid as relid union select relid from pg_partition_tree(r.oid)) p`,
    [tables.map((t) => qualifiedName(t))],
  );
  for (const t of rows.filter((r) => !r.guarded))
    await client.query(
      `create or replace trigger placement_guard before insert or update or delete on ${t.name}
         for each statement execute function placement.guard_writes()`,
    );
  return tables.length;
}
