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
  const drift: string[] = [];
  for (const o of wanted.objects) {
    const theirs = have.get(o.key);
    if (theirs === undefined || theirs === o.sql || o.key.startsWith("table ")) continue;
    if (o.query !== undefined && (await printedThere(target, o.sql, o.query)) === theirs) continue;
    drift.push(`${o.key}: here ${theirs}; on the primary ${o.sql}`);
  }
  return {
    schemas,
    create: wanted.objects.filter((o) => !have.has(o.key)),
    drift,
    problems: [...wanted.problems, ...(await lacking(target, wanted.needs))],
  };
}

/**
 * The primary's view (`sql`, ending in its `query`) as the target prints it. How PostgreSQL
 * prints a view changes between versions (16 leaves out the table of a column when the query
 * reads one), so two texts differ as drift only when the queries do. The query is made there as a
 * temporary view, in a transaction rolled back: nothing is written, no lock taken on the view.
 * Null when the target cannot make it (then it is drift).
 */
async function printedThere(target: OwnerClient, sql: string, query: string) {
  await target.query("begin");
  try {
    await target.query(`create temporary view tenantry_printed as ${query}`);
    const { rows } = await target.query<{ query: string }>(
      "select pg_get_viewdef('pg_temp.tenantry_printed'::regclass) as query",
    );
    return sql.slice(0, sql.length - query.length) + rows[0].query.trim().replace(/;$/, "");
  } catch {
    return null;
  } finally {
    await target.query("rollback");
  }
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
