// What sync would make on a registered database (docs/architecture.md §13): the primary's
// data-plane objects the target lacks, by name, and the drift — without the migrations, so the
// console can plan (before a move) without carrying the migration files.
import "server-only";
import { withOwnerClient, type OwnerClient } from "@/db/owner";
import { dataPlaneSchemas, readCatalog, type CatalogObject } from "./catalog";

export class SyncError extends Error {}

export interface SyncPlan {
  schemas: string[];
  /** What the target lacks, in the order it is made. */
  create: CatalogObject[];
  /** Objects the target has under the same name with another definition. */
  drift: string[];
  problems: string[];
}

export async function planWith(source: OwnerClient, target: OwnerClient): Promise<SyncPlan> {
  const schemas = await dataPlaneSchemas(source);
  // Both catalogs at once: each on its own connection.
  const [wanted, there] = await Promise.all([
    readCatalog(source, schemas),
    readCatalog(target, schemas),
  ]);
  const have = new Map(there.objects.map((o) => [o.key, o.sql]));
  return {
    schemas,
    create: wanted.objects.filter((o) => !have.has(o.key)),
    drift: wanted.objects
      .filter((o) => have.has(o.key) && have.get(o.key) !== o.sql && !o.key.startsWith("table "))
      .map((o) => `${o.key}: here ${have.get(o.key)}; on the primary ${o.sql}`),
    problems: wanted.problems,
  };
}

/** What sync would do on the target, without doing it. */
export function planSync(sourceUrl: string, targetUrl: string): Promise<SyncPlan> {
  return withOwnerClient(sourceUrl, (source) =>
    withOwnerClient(targetUrl, (target) => planWith(source, target)),
  );
}
