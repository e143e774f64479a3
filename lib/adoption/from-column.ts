// Adopting a schema that is multi-tenant in the application already (docs/architecture.md §9):
// most tables carry a column such as organization_id, filtered in code. Each of its values
// becomes a customer; a table without the column takes its customer along a foreign-key path
// to one that has it. This file finds the paths (from the catalog) and reads the values and
// the per-customer counts the verification compares against (from the data).
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { OwnerClient } from "@/db/owner";
import type { Tx } from "@/db/tenant";
import { ident, qualified } from "./sql";
import { generateCustomerId } from "@/lib/customers/ids";
import type { ForeignKey, TableInfo } from "./introspect";

export interface FromColumnOptions {
  /** The column the application filters on, e.g. organization_id. */
  fromColumn: string;
  /** The table whose rows are the tenants (its single-column primary key holds the values). */
  tenantsTable?: string;
  /** The tenants table's column that names a customer. */
  nameColumn?: string;
  /** Values matched to existing customers: value → customer ID. */
  mapping?: Record<string, string>;
  /** The customer for rows that have no value (NULL, or no parent along their path). */
  nullTenant?: string;
  /** Where a table reaches the column by more than one foreign key: the one to follow. */
  via?: Record<string, string>;
}

/** How a table finds its customer. */
export type TenantSource =
  | { kind: "column" }
  | { kind: "tenants"; key: string }
  | { kind: "path"; fk: ForeignKey; through: string[] }
  | { kind: "none" }
  | { kind: "ambiguous"; fks: ForeignKey[] };

/** What the data says: the values, each table's rows per value, and rows without one. */
export interface Sources {
  values: { value: string; name: string }[];
  counts: Record<string, Record<string, number>>;
  nulls: Record<string, number>;
  /**
   * Rows whose customer differs from the customer of the row a foreign key points at, by
   * `table.foreignKey`: the composite key would refuse them (absent in plans recorded before).
   */
  crossRefs?: Record<string, number>;
}

/**
 * Each scoped table's way to its customer: the column itself, the tenants table's key, or the
 * shortest foreign-key path to a table that has one. Two different shortest paths are
 * ambiguous unless `via` names the foreign key to follow.
 */
export function tenantSources(
  schema: string,
  scoped: TableInfo[],
  options: FromColumnOptions,
): Map<string, TenantSource> {
  const byName = new Map(scoped.map((t) => [t.name, t]));
  const result = new Map<string, TenantSource>();
  for (const t of scoped) {
    if (t.name === options.tenantsTable && t.primaryKey?.columns.length === 1)
      result.set(t.name, { kind: "tenants", key: t.primaryKey.columns[0] });
    else if (t.columns.includes(options.fromColumn)) result.set(t.name, { kind: "column" });
  }
  // Breadth first from the tables that have a source: each round adds the tables one step further.
  for (let depth = 1; depth <= scoped.length; depth++) {
    const found = new Map<string, TenantSource>();
    for (const t of scoped.filter((x) => !result.has(x.name))) {
      const fks = t.foreignKeys.filter((f) => {
        const target = result.get(f.refTable);
        return (
          f.refSchema === schema &&
          byName.has(f.refTable) &&
          target !== undefined &&
          (target.kind === "column" || target.kind === "tenants" || target.kind === "path")
        );
      });
      const chosen = options.via?.[t.name];
      const usable = chosen ? fks.filter((f) => f.name === chosen) : fks;
      if (usable.length === 1) {
        const target = result.get(usable[0].refTable)!;
        const through = target.kind === "path" ? target.through : [];
        found.set(t.name, {
          kind: "path",
          fk: usable[0],
          through: [usable[0].refTable, ...through],
        });
      } else if (usable.length > 1) found.set(t.name, { kind: "ambiguous", fks: usable });
    }
    if (found.size === 0) break;
    for (const [name, source] of found) result.set(name, source);
  }
  for (const t of scoped) if (!result.has(t.name)) result.set(t.name, { kind: "none" });
  return result;
}

/**
 * The source value of each row of `table`, as SQL over the alias `base`: the column, the tenants
 * table's key, or the column at the end of the path, joined table by table.
 */
function valueOf(
  schema: string,
  table: string,
  sources: Map<string, TenantSource>,
  byName: Map<string, TableInfo>,
  options: FromColumnOptions,
  base = "r",
): { joins: SQL[]; value: SQL } {
  const joins: SQL[] = [];
  let alias = base;
  let current = table;
  for (let hop = 0; ; hop++) {
    const source = sources.get(current)!;
    const at = sql.identifier(alias);
    if (source.kind === "column")
      return { joins, value: sql`${at}.${sql.identifier(options.fromColumn)}::text` };
    if (source.kind === "tenants")
      return { joins, value: sql`${at}.${sql.identifier(source.key)}::text` };
    if (source.kind !== "path") throw new Error(`${table} has no way to its customer`);
    const next = `${base}_p${hop}`;
    const on = source.fk.columns.map(
      (c, i) =>
        sql`${sql.identifier(next)}.${sql.identifier(source.fk.refColumns[i])} = ${at}.${sql.identifier(c)}`,
    );
    joins.push(
      sql`left join ${sql.identifier(schema)}.${sql.identifier(source.fk.refTable)} ${sql.identifier(next)} on ${sql.join(on, sql` and `)}`,
    );
    alias = next;
    current = source.fk.refTable;
    if (!byName.has(current)) throw new Error(`${current} is not scoped`);
  }
}

/** Reads the values and each table's rows per value, in the caller's transaction. */
export async function readSources(
  tx: Tx,
  schema: string,
  scoped: TableInfo[],
  sources: Map<string, TenantSource>,
  options: FromColumnOptions,
): Promise<Sources> {
  const byName = new Map(scoped.map((t) => [t.name, t]));
  const counts: Sources["counts"] = {};
  const nulls: Sources["nulls"] = {};
  const names = new Map<string, string>();
  for (const t of scoped) {
    const kind = sources.get(t.name)!.kind;
    if (kind === "none" || kind === "ambiguous") continue;
    const { joins, value } = valueOf(schema, t.name, sources, byName, options);
    const { rows } = await tx.execute<{ value: string | null; n: string }>(
      sql`select ${value} as value, count(*) as n from ${sql.identifier(schema)}.${sql.identifier(t.name)} r ${sql.join(joins, sql` `)} group by 1`,
    );
    counts[t.name] = {};
    for (const r of rows) {
      if (r.value === null) nulls[t.name] = Number(r.n);
      else counts[t.name][r.value] = Number(r.n);
    }
  }
  const crossRefs = await readCrossRefs(tx, schema, scoped, sources, options);
  if (options.tenantsTable && sources.get(options.tenantsTable)?.kind === "tenants") {
    const key = (sources.get(options.tenantsTable) as { key: string }).key;
    const name = options.nameColumn ? sql.identifier(options.nameColumn) : sql.identifier(key);
    const { rows } = await tx.execute<{ value: string; name: string | null }>(
      sql`select ${sql.identifier(key)}::text as value, ${name}::text as name from ${sql.identifier(schema)}.${sql.identifier(options.tenantsTable)}`,
    );
    for (const r of rows) names.set(r.value, r.name ?? r.value);
  }
  const values = [...new Set(Object.values(counts).flatMap((c) => Object.keys(c)))]
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((value) => ({
      value,
      name: names.get(value) ?? `${schema} ${options.fromColumn} ${value}`,
    }));
  return { values, counts, nulls, crossRefs };
}

const usable = (source: TenantSource | undefined) =>
  source?.kind === "column" || source?.kind === "tenants" || source?.kind === "path";

/**
 * For each foreign key between two tables that find their customers, the rows whose customer
 * is not that of the row they point at: the value through the mapping (two values mapped to one
 * customer are one customer), no value through the customer for rows without one (without it,
 * such rows are a problem of their own, and not counted here).
 */
async function readCrossRefs(
  tx: Tx,
  schema: string,
  scoped: TableInfo[],
  sources: Map<string, TenantSource>,
  options: FromColumnOptions,
): Promise<Record<string, number>> {
  const byName = new Map(scoped.map((t) => [t.name, t]));
  const customer = (value: SQL) =>
    sql`coalesce(${JSON.stringify(options.mapping ?? {})}::jsonb ->> ${value}, ${value}, ${options.nullTenant ?? null}::text)`;
  const crossRefs: Record<string, number> = {};
  for (const t of scoped.filter((x) => usable(sources.get(x.name)))) {
    const source = sources.get(t.name)!;
    // The foreign key a table finds its customer through agrees with it by construction.
    const path = source.kind === "path" ? source.fk.name : null;
    for (const f of t.foreignKeys.filter(
      (k) => k.refSchema === schema && k.name !== path && usable(sources.get(k.refTable)),
    )) {
      const child = valueOf(schema, t.name, sources, byName, options, "r");
      const parent = valueOf(schema, f.refTable, sources, byName, options, "q");
      const on = f.columns.map(
        (c, i) => sql`q.${sql.identifier(f.refColumns[i])} = r.${sql.identifier(c)}`,
      );
      const { rows } = await tx.execute<{ n: string }>(
        sql`select count(*) as n from ${sql.identifier(schema)}.${sql.identifier(t.name)} r ${sql.join(child.joins, sql` `)}
              join ${sql.identifier(schema)}.${sql.identifier(f.refTable)} q on ${sql.join(on, sql` and `)} ${sql.join(parent.joins, sql` `)}
             where ${customer(child.value)} is distinct from ${customer(parent.value)}
               and ${customer(child.value)} is not null and ${customer(parent.value)} is not null`,
      );
      if (Number(rows[0].n)) crossRefs[`${t.name}.${f.name}`] = Number(rows[0].n);
    }
  }
  return crossRefs;
}

export interface AssignedCustomer {
  value: string;
  id: string;
  name: string;
  /** Created by the run; otherwise matched by the mapping to a customer that exists. */
  isNew: boolean;
}

/** Each value's customer: the mapping's, or a new one (its ID drawn here). */
export function assignCustomers(sources: Sources, options: FromColumnOptions): AssignedCustomer[] {
  return sources.values.map(({ value, name }) => {
    const mapped = options.mapping?.[value];
    return mapped
      ? { value, id: mapped, name, isNew: false }
      : { value, id: generateCustomerId(), name, isNew: true };
  });
}

/**
 * As each of two customers (those with the most rows), through the tenant role: every table
 * shows exactly that customer's rows — as many as the owner counts for it, and none of another's.
 * Run it in a REPEATABLE READ transaction, so both counts read one snapshot. Returns what differs.
 */
export async function probeTwoCustomers(
  client: OwnerClient,
  schema: string,
  tables: string[],
  column: string,
): Promise<{ customers: string[]; differences: string[] }> {
  const totals = new Map<string, number>();
  const owned = new Map<string, Map<string, number>>();
  for (const table of tables) {
    const { rows } = await client.query<{ tenant: string; n: string }>(
      `select ${ident(column)} as tenant, count(*) as n from ${qualified(schema, table)} group by 1`,
    );
    owned.set(table, new Map(rows.map((r) => [r.tenant, Number(r.n)])));
    for (const r of rows) totals.set(r.tenant, (totals.get(r.tenant) ?? 0) + Number(r.n));
  }
  const customers = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([id]) => id);
  const differences: string[] = [];
  for (const customer of customers) {
    await client.query("savepoint probe");
    try {
      await client.query("set local role tenantry_tenant");
      await client.query("select set_config('app.tenant_id', $1, true)", [customer]);
      for (const table of tables) {
        const { rows } = await client.query<{ n: string; foreign: string }>(
          `select count(*) as n, count(*) filter (where ${ident(column)} is distinct from $1) as foreign from ${qualified(schema, table)}`,
          [customer],
        );
        const expected = owned.get(table)!.get(customer) ?? 0;
        if (Number(rows[0].foreign) > 0 || Number(rows[0].n) !== expected)
          differences.push(
            `as ${customer}, ${schema}.${table} shows ${rows[0].n} rows (${rows[0].foreign} of other customers); it owns ${expected}`,
          );
      }
    } finally {
      await client.query("rollback to savepoint probe");
    }
  }
  return { customers, differences };
}
