// What sync would make on a registered database (docs/architecture.md §13): the primary's
// data-plane objects the target lacks, by name, and the drift — without the migrations, so the
// console can plan (before a move) without carrying the migration files.
import "server-only";
import { withOwnerClient, type OwnerClient } from "@/db/owner";
import { dataPlaneSchemas, readCatalog, type CatalogObject, type Need } from "./catalog";

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
    problems: [...wanted.problems, ...(await lacking(target, wanted.needs))],
  };
}

const KINDS: Record<string, string> = {
  e: "an enum",
  d: "a domain",
  c: "a composite type",
  r: "a range",
  b: "a base type",
};

/**
 * What the target lacks of what the data plane uses from outside it, each a sentence: sync makes
 * neither extensions nor types, and a table that uses one would fail there.
 */
async function lacking(target: OwnerClient, needs: Need[]): Promise<string[]> {
  const extensions = needs.flatMap((n) => ("extension" in n ? [n] : []));
  const types = needs.flatMap((n) => ("type" in n ? [n] : []));
  const { rows } = await target.query<{ extensions: string[]; types: string[] }>(
    `select array(select x from unnest($1::text[]) x where not exists (select 1 from pg_extension e where e.extname = x)) as extensions,
            array(select x from unnest($2::text[]) x where to_regtype(x) is null) as types`,
    [extensions.map((n) => n.extension), types.map((n) => n.type)],
  );
  const [noExtension, noType] = [new Set(rows[0].extensions), new Set(rows[0].types)];
  return [
    ...extensions
      .filter((n) => noExtension.has(n.extension))
      .map(
        (n) =>
          `The target lacks the extension ${n.extension} (${n.usedBy}): create it there first (create extension ${n.extension}).`,
      ),
    ...types
      .filter((n) => noType.has(n.type))
      .map(
        (n) =>
          `The target lacks the type ${n.type} (${KINDS[n.kind] ?? "a type"}), of ${n.usedBy}: sync does not make types; make it there by hand first.`,
      ),
  ];
}

/** What sync would do on the target, without doing it. */
export function planSync(sourceUrl: string, targetUrl: string): Promise<SyncPlan> {
  return withOwnerClient(sourceUrl, (source) =>
    withOwnerClient(targetUrl, (target) => planWith(source, target)),
  );
}
