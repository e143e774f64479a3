// The adoption plan (docs/architecture.md §9): from a schema's catalog, what will change in each table and
// the exact SQL, in four phases so the tables are locked only for catalog changes — or, before
// anything runs, what it cannot handle and why.
import { createHash } from "node:crypto";
import { findTenantPolicy } from "@/db/guard";
import { CURRENT_TENANT_SQL } from "@/db/schema";
import { LEGACY_CUSTOMER_ID } from "@/lib/customers/ids";
import {
  tenantSources,
  type AssignedCustomer,
  type FromColumnOptions,
  type Sources,
  type TenantSource,
} from "./from-column";
import type { Constraint, Exclusion, ForeignKey, RowsSource, TableInfo } from "./introspect";
import { ident as q, identList as list, qualified } from "./sql";

export interface PlanOptions {
  /** Who owns the rows that exist today. */
  tenantForExisting?: string;
  /** Tables that stay global reference data (not scoped). */
  globalTables?: string[];
  column?: string;
  /** Keys and unique indexes (by name) that stay unique across all customers instead of per customer. */
  globalUniques?: string[];
  /** A schema multi-tenant in the application already: each value of this column becomes a customer. */
  from?: FromColumnOptions;
  /** For `from`: what the data holds (readSources), and each value's customer (assignCustomers). */
  sources?: Sources;
  customers?: AssignedCustomer[];
}

/**
 * Where a step runs (docs/architecture.md §9, the lock window):
 * - `prepare`: one short transaction, committed: the column, whose constant default PostgreSQL
 *   stores in the catalog without rewriting a row;
 * - `concurrent`: no transaction: the tenant-leading unique indexes and indexes, built with
 *   CREATE INDEX CONCURRENTLY while the application keeps writing;
 * - `locked`: one transaction that changes only the catalog: keys attached to the built indexes,
 *   foreign keys added NOT VALID, policies. This is the only time writers wait;
 * - `validate`: the foreign keys validated, which blocks no writer.
 * A failure after `prepare` committed is undone by the run (see run.ts), so all or nothing holds.
 */
export type Phase = "prepare" | "concurrent" | "locked" | "validate";

/** Each phase in words, for the plan's SQL listing. */
export const PHASE_WORDS: Record<Phase, string> = {
  prepare: "a short transaction, committed (the tables are locked for a moment)",
  concurrent: "no transaction; writers go on",
  locked: "the lock window: one transaction that changes only the catalog",
  validate: "no transaction; writers go on",
};

/** The plan's SQL as a script, each step headed by its name and phase. */
export function planScript(steps: PlanStep[]): string {
  return steps
    .filter((s) => s.statements.length > 0)
    .map(
      (s) =>
        `-- ${s.name} (${PHASE_WORDS[s.phase]})\n${s.statements.map((x) => `${x};`).join("\n")}\n`,
    )
    .join("\n");
}

export interface PlanStep {
  name: string;
  phase: Phase;
  statements: string[];
}

export interface TablePlan {
  table: string;
  rows: number;
  rowsSource: RowsSource;
  scoped: boolean;
  changes: string[];
}

export interface AdoptionPlan {
  schema: string;
  column: string;
  tenantForExisting: string;
  tables: TablePlan[];
  /** Reasons the plan cannot run; empty when it can. */
  problems: string[];
  /** Each step's statements, in order. */
  steps: PlanStep[];
  /** What undoes the `prepare` and `concurrent` phases, when the run fails before `locked` commits. */
  undoPrepared: string[];
  /** From a column: each value's customer. */
  customers?: AssignedCustomer[];
  estimatedSeconds: number;
}

/** A table's row count in words, saying where it comes from. */
export function describeRows(t: { rows: number; rowsSource: RowsSource }): string {
  const n = t.rows.toLocaleString("en");
  if (t.rowsSource === "unknown") return "rows unknown: never analysed";
  return t.rowsSource === "estimate" ? `about ${n} rows` : `${n} rows, counted`;
}

/** A table whose keys, foreign keys and indexes the plan changes: a scoped table or one of its partitions. */
interface Unit {
  t: TableInfo;
  /** The scoped table it belongs to (itself, or the partitioned table at the top). */
  root: TableInfo;
  /** Keys rebuilt leading with the tenant. */
  rebuilt: Constraint[];
  /** Keys kept across all customers, each with the reason. */
  kept: { key: Constraint; why: string }[];
  /** Kept keys that foreign keys refer to: each gets a tenant-leading unique twin. */
  twins: { key: Constraint; name: string }[];
  /**
   * Exclusion constraints rebuilt with the tenant first (`tenant WITH =`): inside the lock, since
   * PostgreSQL builds an exclusion constraint's index only as it adds the constraint.
   */
  exclusions: Exclusion[];
  /** Indexes rebuilt leading with the tenant. */
  indexes: TableInfo["indexes"];
  /** Regular tables build their new indexes concurrently; partitioned ones inside the lock. */
  concurrent: boolean;
}

/** What every part of a plan is built from. */
interface PlanContext {
  schema: string;
  column: string;
  tenant: string;
  global: Set<string>;
  keptGlobal: Set<string>;
  /** Every table but partitions (they follow their parent) and extensions' tables (left alone). */
  candidates: TableInfo[];
  scoped: TableInfo[];
  scopedNames: Set<string>;
  /** Scoped tables without the tenant column (it is added), and with it (they are finished). */
  adding: TableInfo[];
  finishing: TableInfo[];
  units: Unit[];
  internalFks: { u: Unit; f: ForeignKey }[];
  /** A plan from a column: how each table finds its customer, and the customers. */
  from: {
    options: FromColumnOptions;
    sources: Map<string, TenantSource>;
    data: Sources;
    customers: AssignedCustomer[];
  } | null;
  /** The tenant's literal, for the existing rows. */
  literal: string;
}

export function planAdoption(
  schema: string,
  tables: TableInfo[],
  options: PlanOptions = {},
): AdoptionPlan {
  const ctx = planContext(schema, tables, options);
  const totalRows = ctx.candidates.reduce((n, t) => n + t.rows, 0);
  // From a column, the backfill rewrites every row, so the whole run is one locked transaction.
  const steps = STEPS.map(([name, phase, build]) => ({
    name,
    phase: ctx.from ? ("locked" as const) : phase,
    statements: build(ctx),
  }));
  return {
    schema,
    column: ctx.column,
    tenantForExisting: ctx.tenant,
    tables: [
      ...ctx.candidates.map((t) => tablePlan(ctx, t, tables)),
      ...tables
        .filter((t) => t.extension)
        .map((t) => ({
          table: t.name,
          rows: t.rows,
          rowsSource: t.rowsSource,
          scoped: false,
          changes: [`belongs to the extension ${t.extension}: left as it is`],
        })),
    ],
    problems: planProblems(ctx, tables),
    steps,
    undoPrepared: undoPrepared(ctx),
    ...(ctx.from ? { customers: ctx.from.customers } : {}),
    // The concurrent index builds and the validation dominate: about 3.5 s a million rows on the
    // bench's 2-core machine (npm run bench:adopt), plus the catalog work.
    estimatedSeconds: 0.3 + totalRows * 3.5e-6,
  };
}

function planContext(schema: string, tables: TableInfo[], options: PlanOptions): PlanContext {
  const column = options.column ?? "tenant_id";
  const tenant = options.tenantForExisting ?? LEGACY_CUSTOMER_ID;
  const global = new Set(options.globalTables ?? []);
  const keptGlobal = new Set(options.globalUniques ?? []);
  const candidates = tables.filter((t) => !t.partitionOf && !t.extension);
  const scoped = candidates.filter((t) => !global.has(t.name));
  const scopedNames = new Set(scoped.map((t) => t.name));
  const byName = new Map(tables.map((t) => [t.name, t]));
  const rootOf = (t: TableInfo): TableInfo =>
    t.partitionOf && byName.has(t.partitionOf) ? rootOf(byName.get(t.partitionOf)!) : t;
  const members = tables.filter((t) => !t.extension && scopedNames.has(rootOf(t).name));
  // Foreign keys from any scoped table or partition to a scoped table of the schema: they become composite.
  // (One that includes the tenant column is composite already.)
  const fks = members.flatMap((t) =>
    t.foreignKeys
      .filter(
        (f) => f.refSchema === schema && scopedNames.has(f.refTable) && !f.columns.includes(column),
      )
      .map((f) => ({ t, f })),
  );
  const units = members.map((t): Unit => {
    const keys = [...(t.primaryKey ? [t.primaryKey] : []), ...t.uniques];
    const kept = keys.flatMap((key) => {
      const why = keptBecause(t, key, keptGlobal);
      return why ? [{ key, why }] : [];
    });
    const referenced = (key: Constraint) =>
      fks.some(({ f }) => f.refTable === t.name && same(f.refColumns, key.columns));
    return {
      t,
      root: rootOf(t),
      // A key that leads with the tenant already stays as it is.
      rebuilt: keys.filter((k) => !kept.some((x) => x.key === k) && k.columns[0] !== column),
      kept,
      twins: kept
        .filter(({ key }) => referenced(key))
        .map(({ key }) => ({ key, name: derivedName(key.name, "per_customer") })),
      exclusions: (t.exclusions ?? []).filter(
        (x) => !keptGlobal.has(x.name) && x.tenantEquality && !excludesPerCustomer(x, column),
      ),
      indexes: rewrittenIndexes(t, column).filter((i) => !keptGlobal.has(i.name)),
      concurrent: !t.partitioned && !options.from,
    };
  });
  const unitOf = new Map(units.map((u) => [u.t.name, u]));
  return {
    schema,
    column,
    tenant,
    global,
    keptGlobal,
    candidates,
    scoped,
    scopedNames,
    adding: scoped.filter((t) => !t.columns.includes(column)),
    finishing: scoped.filter((t) => t.columns.includes(column)),
    units,
    internalFks: fks.map(({ t, f }) => ({ u: unitOf.get(t.name)!, f })),
    literal: literal(tenant),
    from: options.from
      ? {
          options: options.from,
          sources: tenantSources(schema, scoped, options.from),
          data: options.sources ?? { values: [], counts: {}, nulls: {} },
          customers: options.customers ?? [],
        }
      : null,
  };
}

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** Why a key stays unique across all customers, or null when it becomes per customer. */
function keptBecause(t: TableInfo, key: Constraint, keptGlobal: Set<string>): string | null {
  if (keptGlobal.has(key.name)) return "kept across all customers, as chosen";
  const views = t.keyDependentViews.filter((v) => v.constraint === key.name).map((v) => v.view);
  // A view that groups by the primary key depends on that very constraint: PostgreSQL would
  // refuse to drop it, and a view recreated over (tenant, id) would no longer group correctly.
  // The key stays; a tenant-leading twin serves the foreign keys.
  if (views.length) return `kept across all customers: the views ${views.join(", ")} group by it`;
  const outside = (t.referencedFrom ?? []).filter((r) => same(r.columns, key.columns));
  if (outside.length)
    return `kept across all customers: ${outside.map((r) => `${r.schema}.${r.table}`).join(", ")} refer to it`;
  return null;
}

/**
 * `name` with a suffix, within PostgreSQL's 63 bytes. A name cut to fit keeps a hash of the whole
 * one: Rails names two indexes `…_is_null` and `…_is_not_null`, the same for their first 53.
 */
function derivedName(name: string, suffix: string): string {
  if (name.length + suffix.length < 63) return `${name}_${suffix}`;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, 62 - suffix.length - 9)}_${hash}_${suffix}`;
}
/** The name of an index built concurrently before the lock, renamed or attached inside it. */
const buildName = (name: string) => derivedName(name, "tenantry");

/** What the plan cannot handle, named before anything runs. */
function planProblems(ctx: PlanContext, tables: TableInfo[]): string[] {
  const { schema, column, global, candidates, scoped, scopedNames, keptGlobal, units } = ctx;
  const problems: string[] = [];
  // The plan predicts the run: what the run could only fail on, or leak, is named here.
  // One problem per materialized view and per function, naming every scoped table it reads.
  const readers = (pairs: [string, string][]) => {
    const by = new Map<string, string[]>();
    for (const [reader, table] of pairs) by.set(reader, [...(by.get(reader) ?? []), table]);
    return [...by];
  };
  for (const [mv, read] of readers(
    scoped.flatMap((t) => t.materializedViews.map((mv): [string, string] => [mv, t.name])),
  )) {
    problems.push(
      `${schema}.${mv} is a materialized view over ${read.join(", ")}: it stores rows, which row-level security cannot filter, so every customer could read all of them. Drop it, or replace it with a plain view (adoption makes views security_invoker), then plan again.`,
    );
  }
  const definers = new Map(
    scoped.flatMap((t) => (t.definerFunctions ?? []).map((f) => [f.name, f] as const)),
  );
  const settle =
    "Make it SECURITY INVOKER, give it an owner without BYPASSRLS, or drop it; then plan again.";
  const runsAs = (fn: string, owner: string) =>
    `The function ${fn} runs as ${owner} (SECURITY DEFINER), which bypasses row-level security, and`;
  for (const [fn, read] of readers(
    scoped.flatMap((t) =>
      (t.definerFunctions ?? [])
        .filter((f) => !f.opaque || f.named)
        .map((f): [string, string] => [f.name, `${schema}.${t.name}`]),
    ),
  )) {
    const { owner, opaque } = definers.get(fn)!;
    problems.push(
      opaque
        ? `${runsAs(fn, owner)} the plan cannot tell all it reads: ${opaque}. It reads or names ${read.join(", ")}: any customer calling it may read every customer's rows. ${settle}`
        : `${runsAs(fn, owner)} reads ${read.join(", ")}: any customer calling it reads every customer's rows. ${settle}`,
    );
  }
  for (const f of definers.values())
    if (
      f.opaque &&
      !scoped.some((t) => t.definerFunctions?.some((g) => g.name === f.name && g.named))
    )
      problems.push(
        `${runsAs(f.name, f.owner)} the plan cannot tell what it reads: ${f.opaque}. Any customer calling it may read every customer's rows of ${schema}. ${settle}`,
      );
  for (const t of scoped) {
    for (const r of t.referencedFrom ?? []) {
      problems.push(
        `${r.schema}.${r.table}'s foreign key ${r.name} points at ${schema}.${t.name} from another schema: a table outside the adoption would point at one customer's rows. Drop it (and add it again as a composite key once ${r.schema} is adopted), or keep ${t.name} global.`,
      );
    }
  }
  for (const u of units) {
    const t = u.t;
    for (const x of t.exclusions ?? []) {
      if (keptGlobal.has(x.name) || x.tenantEquality || excludesPerCustomer(x, column)) continue;
      const method = /^EXCLUDE USING (\S+)/.exec(x.definition)?.[1] ?? "its index method";
      problems.push(
        `${schema}.${t.name}'s exclusion constraint ${x.name} (${x.definition}) holds across all customers: one customer's rows would block another's and show that they exist. Adoption rebuilds it per customer with ${column} WITH = first, but ${method} has no operator class for text here${method === "gist" ? ": install btree_gist (create extension btree_gist)" : ""}. Or keep it across customers (choose it as a global unique). Then plan again.`,
      );
    }
    if (t.rules?.length) {
      problems.push(
        `${schema}.${t.name} has the rule${t.rules.length > 1 ? "s" : ""} ${t.rules.join(", ")}: a rule rewrites statements into others the plan cannot see. Replace it with a trigger (triggers are kept), or drop it, then plan again.`,
      );
    }
    const tenantPolicy = findTenantPolicy(t.policies ?? [], column);
    const permissive = (t.policies ?? [])
      .filter((p) => p.permissive && p !== tenantPolicy)
      .map((p) => p.name);
    if (permissive.length) {
      problems.push(
        `${schema}.${t.name} has row-level security policies already (${permissive.join(", ")}): a permissive policy is OR-ed with the tenant policy, so it would let other customers' rows through. Drop them or make them RESTRICTIVE, then plan again.`,
      );
    }
    if (t.ownedByOther) {
      problems.push(
        `${schema}.${t.name} is owned by ${t.owner}, and the role running the adoption is neither ${t.owner} nor a member of it: only a table's owner may alter it. Run the adoption as ${t.owner}, grant ${t.owner} to the role running it, or change the table's owner.`,
      );
    }
  }
  for (const t of tables.filter((x) => x.inheritsFrom && !x.extension)) {
    if (!scopedNames.has(t.name) && !scopedNames.has(t.inheritsFrom!)) continue;
    problems.push(
      `${schema}.${t.name} inherits from ${t.inheritsFrom} (table inheritance, not partitioning): a query on ${t.inheritsFrom} reads its rows under ${t.inheritsFrom}'s policy, and the keys do not reach it as they reach a partition. Make it a partition, detach it (alter table … no inherit), or keep both global.`,
    );
  }
  if (ctx.from) problems.push(...fromProblems(ctx, ctx.from));
  // A table that has the column already is finished, not adopted again — if the run can.
  if (scoped.length > 0 && scoped.every((t) => complete(ctx, t))) {
    problems.push(
      `Every table of ${schema} already has ${column}: the schema looks adopted already. Verify it instead of adopting again.`,
    );
  }
  for (const t of ctx.finishing) {
    const type = t.attributes?.find((a) => a.name === column)?.type ?? "text";
    if (!/^(text|character varying(\(\d+\))?)$/.test(type)) {
      problems.push(
        `${schema}.${t.name} already has a column named ${column}, of type ${type}: a customer ID is text, so it is a column of its own. Rename it, or choose another column name.`,
      );
      continue;
    }
    if (t.nullTenants)
      problems.push(
        `${t.nullTenants.toLocaleString("en")} rows of ${schema}.${t.name} have no ${column}: give them a customer (update … set ${column} = '…' where ${column} is null) or delete them, then plan again.`,
      );
  }
  for (const { u, f } of ctx.internalFks) {
    if (f.crossTenantRefs)
      problems.push(
        `${f.crossTenantRefs.toLocaleString("en")} rows of ${schema}.${u.t.name} point through ${f.name} at another customer's row of ${f.refTable}: the composite key would refuse them. Correct or delete them, then plan again.`,
      );
  }
  for (const t of candidates.filter((c) => global.has(c.name))) {
    for (const fk of t.foreignKeys.filter(
      (f) => f.refSchema === schema && scopedNames.has(f.refTable),
    )) {
      problems.push(
        `${schema}.${t.name} is global but its foreign key ${fk.name} points at ${fk.refTable}, which is scoped: a global row cannot point at one customer's row. Make ${fk.refTable} global too, or ${t.name} scoped.`,
      );
    }
  }
  return problems;
}

const FROM_SETTING = `(nullif(current_setting('app.tenant_id', true), ''))`;

/** DEFERRABLE and INITIALLY … as a key's or foreign key's definition has them. */
function deferral(definition: string): string {
  if (!/\bDEFERRABLE\b/.test(definition) || /\bNOT DEFERRABLE\b/.test(definition)) return "";
  return /\bINITIALLY DEFERRED\b/.test(definition)
    ? " deferrable initially deferred"
    : " deferrable initially immediate";
}

/** A foreign key's clauses after its columns, kept from its definition: actions and deferral. */
function fkClauses(f: ForeignKey): string {
  // SET NULL and SET DEFAULT touch only the key's own columns: never the tenant column.
  const action = (a: string) =>
    a === "set null" || a === "set default" ? `${a} (${list(f.columns)})` : a;
  return ` on delete ${action(f.onDelete)} on update ${f.onUpdate}${deferral(f.definition)}`;
}

/** A foreign key its owner left NOT VALID: kept so, its existing rows never checked. */
const leftNotValid = (f: ForeignKey) => /\bNOT VALID$/.test(f.definition);

/**
 * MATCH FULL on several columns: all of them null, or none. With the tenant column (never null)
 * in the key, MATCH FULL would refuse the rows whose own columns are all null, so the composite
 * key is MATCH SIMPLE and this check keeps the rule on the original columns.
 */
function matchFullCheck(f: ForeignKey): { name: string; expression: string } | null {
  if (!/\bMATCH FULL\b/.test(f.definition) || f.columns.length < 2) return null;
  const all = (test: string) => f.columns.map((c) => `${q(c)} ${test}`).join(" and ");
  return {
    name: derivedName(f.name, "match_full"),
    expression: `(${all("is null")}) or (${all("is not null")})`,
  };
}

/** A key's SQL as a constraint over the tenant and its columns. */
const keyType = (u: Unit, k: Constraint) => (k === u.t.primaryKey ? "primary key" : "unique");

/** The steps of a run, in order, each with its phase and the builder of its statements. */
const STEPS: [string, Phase, (ctx: PlanContext) => string[]][] = [
  [
    "add column",
    "prepare",
    ({ schema, adding, column, literal, from }) =>
      adding.map(
        (t) =>
          `alter table ${qualified(schema, t.name)} add column ${q(column)} text${from ? "" : ` not null default ${literal}`}`,
      ),
  ],
  ["backfill the tenant column", "prepare", (ctx) => (ctx.from ? backfill(ctx, ctx.from) : [])],
  // A column that allows NULL becomes NOT NULL through a check validated outside the lock, which
  // SET NOT NULL then trusts instead of scanning the table.
  [
    "check the tenant column",
    "prepare",
    ({ schema, column, finishing }) =>
      nullable(finishing, column).map(
        (t) =>
          `alter table ${qualified(schema, t.name)} add constraint ${q(notNullCheck(t))} check (${q(column)} is not null) not valid`,
      ),
  ],
  [
    "validate the tenant column",
    "concurrent",
    ({ schema, column, finishing }) =>
      nullable(finishing, column).map(
        (t) => `alter table ${qualified(schema, t.name)} validate constraint ${q(notNullCheck(t))}`,
      ),
  ],
  [
    "build indexes concurrently",
    "concurrent",
    ({ schema, units, column }) =>
      units
        .filter((u) => u.concurrent)
        .flatMap((u) => [
          // What an interrupted run built (valid or not) goes first, so the names are free.
          ...u.t.indexes
            .filter(leftover)
            .map((i) => `drop index concurrently if exists ${qualified(schema, i.name)}`),
          ...[...u.rebuilt, ...u.twins.map((x) => x.key)].map(
            (k) =>
              `create unique index concurrently ${q(buildName(u.twins.find((x) => x.key === k)?.name ?? k.name))} on ${qualified(schema, u.t.name)} (${list(leading(column, k.columns))})`,
          ),
          ...u.indexes.map((i) => tenantLeading(i.definition, column, buildName(i.name), true)),
        ]),
  ],
  // The owner of the existing rows must be a customer; control.customers is itself under RLS.
  [
    "the customer for existing rows",
    "locked",
    ({ literal: owner, from }) => [
      ...(from
        ? [
            ...from.customers.map((c) => ({ ...c, id: literal(c.id), name: literal(c.name) })),
            ...(from.options.nullTenant
              ? [
                  {
                    id: literal(from.options.nullTenant),
                    name: "'Existing data (adopted)'",
                    isNew: false,
                  },
                ]
              : []),
          ]
        : [{ id: owner, name: "'Existing data (adopted)'", isNew: false }]
      ).flatMap((c) => [
        `select set_config('app.tenant_id', ${c.id}, true)`,
        // A new customer's ID must be free: a clash fails the run instead of merging two customers.
        `insert into control.customers (id, name, status, contact_email) values (${c.id}, ${c.name}, 'active', 'unknown@example.invalid')${c.isNew ? "" : " on conflict (id) do nothing"}`,
      ]),
      `select set_config('app.tenant_id', '', true)`,
    ],
  ],
  [
    "default from the tenant setting",
    "locked",
    ({ schema, scoped, column, finishing }) => [
      ...scoped.map(
        (t) =>
          `alter table ${qualified(schema, t.name)} alter column ${q(column)} set default ${FROM_SETTING}`,
      ),
      ...nullable(finishing, column).map(
        (t) =>
          `alter table ${qualified(schema, t.name)} alter column ${q(column)} set not null, drop constraint ${q(notNullCheck(t))}`,
      ),
    ],
  ],
  [
    "drop foreign keys",
    "locked",
    ({ schema, internalFks }) =>
      internalFks.map(
        ({ u, f }) => `alter table ${qualified(schema, u.t.name)} drop constraint ${q(f.name)}`,
      ),
  ],
  [
    "tenant-scoped keys",
    "locked",
    ({ schema, units, column }) =>
      units.flatMap((u) => {
        if (u.rebuilt.length + u.twins.length + u.exclusions.length === 0) return [];
        // A regular table's keys take the indexes built before the lock; a partitioned one's are
        // built here, in one statement a table: PostgreSQL rebuilds them in one pass.
        const index = (name: string, k: Constraint) =>
          u.concurrent
            ? `using index ${q(buildName(name))}${deferral(k.definition)}`
            : `(${list(leading(column, k.columns))})${deferral(k.definition)}`;
        const clauses = [
          ...u.rebuilt.map((k) => `drop constraint ${q(k.name)}`),
          ...u.rebuilt.map(
            (k) => `add constraint ${q(k.name)} ${keyType(u, k)} ${index(k.name, k)}`,
          ),
          ...u.twins.map(({ key, name }) => `add constraint ${q(name)} unique ${index(name, key)}`),
          ...u.exclusions.map((x) => `drop constraint ${q(x.name)}`),
          ...u.exclusions.map(
            (x) => `add constraint ${q(x.name)} ${exclusionPerCustomer(x, column)}`,
          ),
        ];
        return [`alter table ${qualified(schema, u.t.name)} ${clauses.join(", ")}`];
      }),
  ],
  // Before the foreign keys: one may reference a unique index (not a constraint), which then
  // must lead with the tenant already.
  [
    "indexes leading with the tenant",
    "locked",
    ({ schema, units, column }) =>
      units.flatMap((u) =>
        u.indexes.flatMap((i) => [
          `drop index ${qualified(schema, i.name)}`,
          u.concurrent
            ? `alter index ${qualified(schema, buildName(i.name))} rename to ${q(i.name)}`
            : tenantLeading(i.definition, column, i.name, false),
        ]),
      ),
  ],
  [
    "composite foreign keys",
    "locked",
    ({ schema, internalFks, column }) =>
      internalFks.flatMap(({ u, f }) => {
        const later = u.concurrent || leftNotValid(f) ? " not valid" : "";
        const full = matchFullCheck(f);
        return [
          `alter table ${qualified(schema, u.t.name)} add constraint ${q(f.name)} foreign key (${list([column, ...f.columns])}) references ${qualified(schema, f.refTable)} (${list([column, ...f.refColumns])})${fkClauses(f)}${later}`,
          ...(full
            ? [
                `alter table ${qualified(schema, u.t.name)} add constraint ${q(full.name)} check (${full.expression})${later}`,
              ]
            : []),
        ];
      }),
  ],
  [
    "row-level security",
    "locked",
    ({ schema, scoped, candidates, global, column }) => {
      const policy = `${q(column)} = ${CURRENT_TENANT_SQL}`;
      return [
        `grant usage on schema ${q(schema)} to tenantry_tenant, tenantry_platform`,
        ...scoped.flatMap((t) => [
          `alter table ${qualified(schema, t.name)} enable row level security`,
          `alter table ${qualified(schema, t.name)} force row level security`,
          ...(findTenantPolicy(t.policies ?? [], column)
            ? []
            : [
                `create policy ${q(`${t.name}_tenant_isolation`)} on ${qualified(schema, t.name)} using (${policy}) with check (${policy})`,
              ]),
          `grant select, insert, update, delete on ${qualified(schema, t.name)} to tenantry_tenant, tenantry_platform`,
        ]),
        ...candidates
          .filter((t) => global.has(t.name))
          .map(
            (t) =>
              `grant select on ${qualified(schema, t.name)} to tenantry_tenant, tenantry_platform`,
          ),
        `grant usage on all sequences in schema ${q(schema)} to tenantry_tenant, tenantry_platform`,
      ];
    },
  ],
  // A plain view runs as its owner and would bypass RLS; security_invoker makes it the caller's.
  [
    "views run as the caller",
    "locked",
    ({ schema, scoped }) =>
      [...new Set(scoped.flatMap((t) => t.views))].map(
        (v) => `alter view ${viewName(schema, v)} set (security_invoker = true)`,
      ),
  ],
  // Checks the existing rows against the composite keys, holding only SHARE UPDATE EXCLUSIVE.
  [
    "validate foreign keys",
    "validate",
    ({ schema, internalFks }) =>
      internalFks
        .filter(({ u, f }) => u.concurrent && !leftNotValid(f))
        .flatMap(({ u, f }) =>
          [f.name, ...(matchFullCheck(f) ? [matchFullCheck(f)!.name] : [])].map(
            (name) => `alter table ${qualified(schema, u.t.name)} validate constraint ${q(name)}`,
          ),
        ),
  ],
];

/** What undoes `prepare` and `concurrent`: the indexes built (or half built), then the column. */
function undoPrepared({ schema, units, adding, finishing, column }: PlanContext): string[] {
  return [
    ...units
      .filter((u) => u.concurrent)
      .flatMap((u) => [
        ...u.rebuilt.map((k) => k.name),
        ...u.twins.map((x) => x.name),
        ...u.indexes.map((i) => i.name),
      ])
      .map((name) => `drop index if exists ${qualified(schema, buildName(name))}`),
    ...adding.map(
      (t) => `alter table ${qualified(schema, t.name)} drop column if exists ${q(column)}`,
    ),
    ...nullable(finishing, column).map(
      (t) =>
        `alter table ${qualified(schema, t.name)} drop constraint if exists ${q(notNullCheck(t))}`,
    ),
  ];
}

type From = NonNullable<PlanContext["from"]>;

/** What a plan from a column cannot do: tables with no way, or two, to their customer; rows with none. */
function fromProblems({ schema, scoped }: PlanContext, from: From): string[] {
  const column = from.options.fromColumn;
  const problems: string[] = [];
  if (![...from.sources.values()].some((x) => x.kind === "column"))
    problems.push(`No table of ${schema} has a column named ${column}.`);
  for (const t of scoped) {
    const source = from.sources.get(t.name)!;
    if (source.kind === "none")
      problems.push(
        `${schema}.${t.name} has no ${column} and no foreign key leading to a table that has it: keep it global, or add the column, then plan again.`,
      );
    if (source.kind === "ambiguous")
      problems.push(
        `${schema}.${t.name} reaches ${column} through more than one foreign key (${source.fks.map((f) => `${f.name} → ${f.refTable}`).join(", ")}): choose the one to follow (--via ${t.name}=${source.fks[0].name}), or keep it global.`,
      );
    for (const f of t.foreignKeys) {
      const n = from.data.crossRefs?.[`${t.name}.${f.name}`];
      if (n)
        problems.push(
          `${n.toLocaleString("en")} rows of ${schema}.${t.name} point through ${f.name} at a row of ${f.refTable} whose ${column} is another customer's: the composite key would refuse them. Correct or delete them (or map both values to one customer), then plan again.`,
        );
    }
    const nulls = from.data.nulls[t.name];
    if (nulls && !from.options.nullTenant)
      problems.push(
        `${nulls.toLocaleString("en")} rows of ${schema}.${t.name} have no ${column}${source.kind === "path" ? " along their foreign key" : ""}: choose a customer for them (--null-tenant LEGACY001), or give them one, then plan again.`,
      );
  }
  return problems;
}

/**
 * The backfill from the column, in the locked transaction: a map of value to customer, each
 * table's rows set from it (or from their parent, tables nearer the column first), the column
 * made NOT NULL, and each table's rows per customer checked against the counts the plan read.
 * The tables' triggers are off meanwhile: the backfill is not the application's write.
 */
function backfill(ctx: PlanContext, from: From): string[] {
  const { schema, column, adding } = ctx;
  const name = (t: string) => qualified(schema, t);
  const map = "pg_temp.tenantry_customer_map";
  const depth = (t: TableInfo) => {
    const source = from.sources.get(t.name)!;
    return source.kind === "path" ? source.through.length : 0;
  };
  const ordered = [...adding].sort((a, b) => depth(a) - depth(b));
  const fill = (t: TableInfo): string => {
    const source = from.sources.get(t.name)!;
    if (source.kind === "path") {
      const on = source.fk.columns.map((c, i) => `p.${q(source.fk.refColumns[i])} = r.${q(c)}`);
      return `update ${name(t.name)} r set ${q(column)} = p.${q(column)} from ${name(source.fk.refTable)} p where ${on.join(" and ")}`;
    }
    const key = source.kind === "tenants" ? source.key : from.options.fromColumn;
    return `update ${name(t.name)} r set ${q(column)} = m.customer_id from ${map} m where m.value = r.${q(key)}::text`;
  };
  const expected = (t: TableInfo) => {
    const byCustomer = new Map<string, number>();
    const id = new Map(from.customers.map((c) => [c.value, c.id]));
    for (const [value, n] of Object.entries(from.data.counts[t.name] ?? {}))
      byCustomer.set(id.get(value)!, (byCustomer.get(id.get(value)!) ?? 0) + n);
    const nulls = from.data.nulls[t.name];
    if (nulls && from.options.nullTenant)
      byCustomer.set(
        from.options.nullTenant,
        (byCustomer.get(from.options.nullTenant) ?? 0) + nulls,
      );
    return [...byCustomer];
  };
  const chunks = (values: AssignedCustomer[]) =>
    Array.from({ length: Math.ceil(values.length / 1000) }, (_, i) =>
      values.slice(i * 1000, i * 1000 + 1000),
    );
  return [
    `create temporary table tenantry_customer_map (value text primary key, customer_id text not null) on commit drop`,
    ...chunks(from.customers).map(
      (chunk) =>
        `insert into ${map} values ${chunk.map((c) => `(${literal(c.value)}, ${literal(c.id)})`).join(", ")}`,
    ),
    ...ordered.flatMap((t) =>
      t.triggers.length ? [`alter table ${name(t.name)} disable trigger user`] : [],
    ),
    ...ordered.flatMap((t) => [
      fill(t),
      ...(from.options.nullTenant
        ? [
            `update ${name(t.name)} set ${q(column)} = ${literal(from.options.nullTenant)} where ${q(column)} is null`,
          ]
        : []),
    ]),
    ...ordered.flatMap((t) =>
      t.triggers.length ? [`alter table ${name(t.name)} enable trigger user`] : [],
    ),
    ...ordered.map((t) => `alter table ${name(t.name)} alter column ${q(column)} set not null`),
    // Verification per customer, before anything else changes: the rows per customer are the
    // source's rows per value. A difference raises, and the run rolls back.
    ...ordered.map((t) => {
      const rows = expected(t);
      const values = rows.length
        ? `(values ${rows.map(([id, n]) => `(${literal(id)}, ${n}::bigint)`).join(", ")})`
        : `(select null::text, null::bigint where false)`;
      const what = literal(
        `${schema}.${t.name}: rows per customer differ from ${from.options.fromColumn}: `,
      );
      return `do $tenantry$ declare differs text; begin
  select string_agg(coalesce(e.customer, a.customer) || ': ' || coalesce(e.n, 0) || ' expected, ' || coalesce(a.n, 0) || ' found', '; ') into differs
    from ${values} e(customer, n)
    full join (select ${q(column)} as customer, count(*) as n from ${name(t.name)} group by 1) a on a.customer = e.customer
   where e.n is distinct from a.n;
  if differs is not null then raise exception '%', ${what} || differs; end if;
end $tenantry$`;
    }),
  ];
}

/**
 * A partitioned table's index as pg_get_indexdef gives it reads `ON ONLY` (pg_dump attaches the
 * partitions' indexes one by one); created again, it must reach every partition.
 */
const onEveryPartition = (definition: string) => definition.replace(/ ON ONLY /, " ON ");

/** An index's definition leading with the tenant column, under another name, concurrently if asked. */
function tenantLeading(definition: string, column: string, name: string, concurrently: boolean) {
  return onEveryPartition(definition)
    .replace(
      /^CREATE (UNIQUE )?INDEX \S+ ON /,
      (_m, unique: string | undefined) =>
        `CREATE ${unique ?? ""}INDEX ${concurrently ? "CONCURRENTLY " : ""}${q(name)} ON `,
    )
    .replace(/ USING btree \(/, ` USING btree (${q(column)}, `);
}

/** One table's part of the plan, in words: what changes and what is kept. */
function tablePlan(ctx: PlanContext, t: TableInfo, tables: TableInfo[]): TablePlan {
  const { column, tenant, global, scopedNames, units } = ctx;
  if (global.has(t.name))
    return {
      table: t.name,
      rows: t.rows,
      rowsSource: t.rowsSource,
      scoped: false,
      changes: ["stays global reference data; readable by every customer"],
    };
  const attribute = t.attributes?.find((a) => a.name === column);
  const changes = attribute
    ? [
        `has ${column} already: finished, not added${attribute.notNull ? "" : "; made NOT NULL through a check validated outside the lock"}; new rows: the tenant setting`,
        ...(attribute.notNull || t.nullTenants !== null
          ? []
          : [
              `rows without ${column} not counted here (this role may not read the table): the run counts them before it changes anything`,
            ]),
      ]
    : [
        ctx.from
          ? `add ${column} (existing rows: ${describeSource(ctx.from, t)}; new rows: the tenant setting)`
          : `add ${column} (existing rows: ${tenant}; new rows: the tenant setting)`,
      ];
  const partitions = tables.filter((p) => p.partitionOf === t.name);
  for (const u of units.filter((x) => x.root === t)) {
    const on = u.t === t ? "" : ` on the partition ${u.t.name}`;
    const kind = (k: Constraint) => (k === u.t.primaryKey ? "primary key" : "unique");
    if (u.t === t && !t.primaryKey)
      changes.push("no primary key: nothing can refer to it; scoped by the column and the policy");
    for (const k of u.rebuilt)
      changes.push(
        `${kind(k)} per customer${on}: ${k.name} (${leading(column, k.columns).join(", ")})${deferral(k.definition)}`,
      );
    for (const x of u.exclusions)
      changes.push(
        `exclusion constraint ${x.name}${on} per customer: ${exclusionPerCustomer(x, column)}; its index is built inside the lock (${u.t.rows.toLocaleString("en")} rows)`,
      );
    for (const { key, why } of u.kept) {
      const twin = u.twins.find((x) => x.key === key);
      changes.push(
        `${kind(key)} ${key.name} (${key.columns.join(", ")})${on} ${why}${twin ? `; unique ${twin.name} (${leading(column, key.columns).join(", ")}) added for the foreign keys` : ""}`,
      );
    }
    for (const f of u.t.foreignKeys) {
      changes.push(
        f.refSchema === ctx.schema && scopedNames.has(f.refTable)
          ? `foreign key ${f.name}${on} → ${f.refTable} (${[column, ...f.refColumns].join(", ")})${fkClauses(f).replace(/ on delete no action on update no action/, "")}${matchFullCheck(f) ? `; MATCH FULL kept as the check ${matchFullCheck(f)!.name} (all of ${f.columns.join(", ")} null, or none)` : ""}${leftNotValid(f) ? ", NOT VALID as it was: new rows are checked, the existing ones are not" : ", checked after the lock"}`
          : `foreign key ${f.name}${on} → ${f.refSchema === ctx.schema ? "" : `${f.refSchema}.`}${f.refTable} kept (global reference data)`,
      );
    }
    for (const i of u.t.indexes) {
      changes.push(
        leftover(i)
          ? `index ${i.name}${on} left by an interrupted run: dropped first`
          : u.indexes.includes(i)
            ? `${i.unique ? "unique index" : "index"} ${i.name}${on} rebuilt leading with ${column}${i.unique ? ": unique per customer" : ""}`
            : `index ${i.name}${on} kept as it is (${ctx.keptGlobal.has(i.name) ? "across all customers, as chosen" : `not a plain btree, or it leads with ${column} already`})`,
      );
    }
    if (u.t === t && t.partitioned)
      changes.push(
        `partitioned (${partitions.map((p) => p.name).join(", ") || "no partitions yet"}): the column, keys and policy are declared on the parent and reach every partition; its keys are rebuilt while it is locked`,
      );
  }
  const restrictive = (t.policies ?? []).filter((p) => !p.permissive).map((p) => p.name);
  if (restrictive.length)
    changes.push(`restrictive policies kept, and-ed with the tenant's: ${restrictive.join(", ")}`);
  if (t.triggers.length) changes.push(`triggers kept: ${t.triggers.join(", ")}`);
  for (const w of t.triggerWrites ?? [])
    changes.push(
      `trigger ${w.trigger} writes into ${w.table}: its rows take the customer of the statement that fired it`,
    );
  if (t.views.length) changes.push(`views made security_invoker: ${t.views.join(", ")}`);
  const existing = findTenantPolicy(t.policies ?? [], column);
  changes.push(
    existing
      ? `RLS enabled, forced; its tenant policy ${existing.name} kept`
      : "RLS enabled, forced, one policy on the tenant",
  );
  return { table: t.name, rows: t.rows, rowsSource: t.rowsSource, scoped: true, changes };
}

/** Where a table's existing rows take their customer from, in words. */
function describeSource(from: From, t: TableInfo): string {
  const source = from.sources.get(t.name)!;
  const column = from.options.fromColumn;
  const values = Object.keys(from.data.counts[t.name] ?? {}).length;
  const customers = `${values} ${values === 1 ? "customer" : "customers"}`;
  if (source.kind === "column") return `the customer of their ${column}, ${customers}`;
  if (source.kind === "tenants")
    return `each row is a customer (the tenants table, by ${source.key}), ${customers}`;
  if (source.kind === "path")
    return `their parent's, through ${source.fk.name} → ${[...source.through, column].join(" → ")}, ${customers}`;
  return "none found";
}

/** A view as introspect names it: in the schema, or `other.name` in another one. */
function viewName(schema: string, view: string) {
  const dot = view.indexOf(".");
  return dot < 0 ? qualified(schema, view) : qualified(view.slice(0, dot), view.slice(dot + 1));
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A key's columns, leading with the tenant (once). */
const leading = (column: string, columns: string[]) => [
  column,
  ...columns.filter((c) => c !== column),
];

/** Whether an exclusion constraint compares the tenant column with `=` first already. */
function excludesPerCustomer(x: Exclusion, column: string) {
  const elements = x.definition.replace(/^EXCLUDE USING \S+ \(/, "");
  return [column, q(column)].some(
    (c) => elements.startsWith(c) && /^ WITH =[,)]/.test(elements.slice(c.length)),
  );
}

/** An exclusion constraint's definition with `tenant WITH =` first: no two rows of one customer conflict. */
const exclusionPerCustomer = (x: Exclusion, column: string) =>
  x.definition.replace(
    /^EXCLUDE USING (\S+) \(/,
    (_m, method: string) => `EXCLUDE USING ${method} (${q(column)} WITH =, `,
  );

/** The tables whose tenant column allows NULL. */
const nullable = (tables: TableInfo[], column: string) =>
  tables.filter((t) => t.attributes?.find((a) => a.name === column)?.notNull === false);

const notNullCheck = (t: TableInfo) => derivedName(t.name, "tenant_not_null");

/** Whether a table that has the column needs nothing: the plan would change none of it. */
function complete(ctx: PlanContext, t: TableInfo): boolean {
  const attribute = t.attributes?.find((a) => a.name === ctx.column);
  if (!attribute) return t.columns.includes(ctx.column) && !t.attributes;
  const u = ctx.units.find((x) => x.t === t)!;
  return (
    attribute.notNull &&
    (attribute.default ?? "").includes("current_setting('app.tenant_id'") &&
    u.rebuilt.length + u.twins.length + u.exclusions.length + u.indexes.length === 0 &&
    !ctx.internalFks.some((x) => x.u.root === t) &&
    Boolean(findTenantPolicy(t.policies ?? [], ctx.column)) &&
    t.rlsEnabled &&
    t.rlsForced
  );
}

/** An index built before the lock by a run that was interrupted before it could use it. */
const leftover = (i: { name: string }) => i.name.endsWith("_tenantry");

/** Plain btree indexes that do not lead with the tenant column yet; adoption rebuilds them leading with it. */
function rewrittenIndexes(t: TableInfo, column: string) {
  return t.indexes.filter(
    (i) =>
      !leftover(i) &&
      / USING btree \(/.test(i.definition) &&
      !i.definition.includes(`(${column}`) &&
      !i.definition.includes(`("${column}"`),
  );
}

/** The constraints a unit's adoption rebuilt: its keys and exclusion constraints. */
const rebuiltOf = (u: Unit): Constraint[] => [...u.rebuilt, ...u.exclusions];

/**
 * The down migration of an adoption, generated from the catalog the adoption started from: the
 * policies and grants go, the composite keys and the tenant's indexes go with the column, and the
 * original keys, foreign keys and indexes come back exactly as they were defined (DEFERRABLE and
 * MATCH included). It runs in one transaction.
 */
export function planRevert(
  schema: string,
  before: TableInfo[],
  options: Pick<PlanOptions, "column" | "globalTables" | "globalUniques"> = {},
) {
  const ctx = planContext(schema, before, options);
  const { scoped, candidates, global, units, internalFks, adding, finishing } = ctx;
  const name = (t: { name: string }) => qualified(schema, t.name);
  const steps: PlanStep[] = [];
  const step = (stepName: string, statements: string[]) =>
    steps.push({ name: stepName, phase: "locked", statements });

  step(
    "views back to their owner",
    [...new Set(scoped.flatMap((t) => t.views))].map(
      (v) => `alter view ${viewName(schema, v)} reset (security_invoker)`,
    ),
  );
  step("row-level security off", [
    ...scoped.flatMap((t) => [
      ...(findTenantPolicy(t.policies ?? [], ctx.column)
        ? []
        : [`drop policy if exists ${q(`${t.name}_tenant_isolation`)} on ${name(t)}`]),
      // As the table had them before: one with restrictive policies of its own keeps RLS on.
      `alter table ${name(t)} ${t.rlsForced ? "force" : "no force"} row level security`,
      `alter table ${name(t)} ${t.rlsEnabled ? "enable" : "disable"} row level security`,
      `revoke select, insert, update, delete on ${name(t)} from tenantry_tenant, tenantry_platform`,
    ]),
    ...candidates
      .filter((t) => global.has(t.name))
      .map((t) => `revoke select on ${name(t)} from tenantry_tenant, tenantry_platform`),
    `revoke usage on all sequences in schema ${q(schema)} from tenantry_tenant, tenantry_platform`,
    `revoke usage on schema ${q(schema)} from tenantry_tenant, tenantry_platform`,
  ]);
  step(
    "drop composite foreign keys",
    internalFks.map(({ u, f }) => {
      const full = matchFullCheck(f);
      return `alter table ${name(u.t)} drop constraint ${q(f.name)}${full ? `, drop constraint ${q(full.name)}` : ""}`;
    }),
  );
  step(
    "drop the column",
    // The twins and the indexes leading with it go with it; the rebuilt keys are dropped first,
    // so their names are free for the originals.
    [
      ...units
        .filter((u) => rebuiltOf(u).length && !adding.includes(u.t))
        .map(
          (u) =>
            `alter table ${name(u.t)} ${rebuiltOf(u)
              .map((k) => `drop constraint ${q(k.name)}`)
              .join(", ")}`,
        ),
      ...adding.map((t) => {
        const u = units.find((x) => x.t === t)!;
        const drops = [
          ...rebuiltOf(u).map((k) => `drop constraint ${q(k.name)}`),
          `drop column ${q(ctx.column)}`,
        ];
        return `alter table ${name(t)} ${drops.join(", ")}`;
      }),
    ],
  );
  step(
    "the tenant column as it was",
    finishing.map((t) => {
      const a = t.attributes!.find((x) => x.name === ctx.column)!;
      return `alter table ${name(t)} alter column ${q(ctx.column)} ${a.default ? `set default ${a.default}` : "drop default"}${a.notNull ? "" : `, alter column ${q(ctx.column)} drop not null`}`;
    }),
  );
  step(
    "original keys",
    units.flatMap((u) =>
      rebuiltOf(u).length
        ? [
            `alter table ${name(u.t)} ${rebuiltOf(u)
              .map((k) => `add constraint ${q(k.name)} ${k.definition}`)
              .join(", ")}`,
          ]
        : [],
    ),
  );
  // The indexes before the foreign keys: one may reference a unique index.
  step(
    "original indexes",
    units.flatMap((u) => u.indexes.map((i) => onEveryPartition(i.definition))),
  );
  step(
    "original foreign keys",
    internalFks.map(
      ({ u, f }) => `alter table ${name(u.t)} add constraint ${q(f.name)} ${f.definition}`,
    ),
  );
  return { schema, column: ctx.column, steps };
}
