// Where each customer's data plane lives, cached (docs/architecture.md §13). An entry stays
// until the database it names says the customer has moved (SQLSTATE TNMOV, from the placement
// guard there): the data door then looks it up again. The cache is bounded; when full it starts
// over, which costs one lookup per customer.
import "server-only";
import type { DatabaseEntry } from "./databases";

const MAX_ENTRIES = 100_000;

const globalCache = globalThis as unknown as {
  tenantryPlacements?: Map<string, DatabaseEntry>;
};

/** The database a customer lives in: from the cache, or from `load` when absent or `fresh`. */
export async function cachedPlacement(
  tenantId: string,
  fresh: boolean,
  load: (tenantId: string) => Promise<DatabaseEntry>,
): Promise<DatabaseEntry> {
  const cache = (globalCache.tenantryPlacements ??= new Map());
  const known = fresh ? undefined : cache.get(tenantId);
  if (known) return known;
  const entry = await load(tenantId);
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(tenantId, entry);
  return entry;
}

/** Forgets every cached placement (tests). */
export function forgetPlacements(): void {
  globalCache.tenantryPlacements?.clear();
}

/** The error a database answers for a customer that has moved away from it. */
export function hasMoved(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code === "TNMOV" || e?.cause?.code === "TNMOV";
}
