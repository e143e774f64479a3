// The adoption plan (docs/architecture.md §9): from a schema's catalog, what will change in each table and
// the exact SQL, in the order one transaction must run it — or, before anything runs, what it
// cannot handle and why.
import { CURRENT_TENANT_SQL } from "@/db/schema";
import { LEGACY_CUSTOMER_ID } from "@/lib/customers/ids";
import type { RowsSource, TableInfo } from "./introspect";
import { ident as q, identList as list, qualified } from "./sql";

export interface PlanOptions {
  /** Who owns the rows that exist today. */
  tenantForExisting?: string;
  /** Tables that stay global reference data (not scoped). */
  globalTables?: string[];
  column?: string;
  /** Unique constraints (by name) that stay unique across all customers instead of per customer. */
  globalUniques?: string[];
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
  steps: { name: string; statements: string[] }[];
  estimatedSeconds: number;
}

/** A table's row count in words, saying where it comes from. */
export function describeRows(t: { rows: number; rowsSource: RowsSource }): string {
  const n = t.rows.toLocaleString("en");
  if (t.rowsSource === "unknown") return "rows unknown: never analysed";
  return t.rowsSource === "estimate" ? `about ${n} rows` : `${n} rows, counted`;
}

/** What every part of a plan is built from. */
interface PlanContext {
  schema: string;
  column: string;
  tenant: string;
  global: Set<string>;
  keptGlobal: Set<string>;
  /** Every table but partitions: those follow their parent, where columns, keys and policies are declared. */
  candidates: TableInfo[];
  scoped: TableInfo[];
  scopedNames: Set<string>;
  internalFks: { t: TableInfo; f: TableInfo["foreignKeys"][number] }[];
  /** The tenant's literal, for the existing rows. */
  literal: string;
}

export function planAdoption(
  schema: string,
  tables: TableInfo[],
  options: PlanOptions = {},
): AdoptionPlan {
  const column = options.column ?? "tenant_id";
  const tenant = options.tenantForExisting ?? LEGACY_CUSTOMER_ID;
  const global = new Set(options.globalTables ?? []);
  const candidates = tables.filter((t) => !t.partitionOf);
  const scoped = candidates.filter((t) => !global.has(t.name));
  const ctx: PlanContext = {
    schema,
    column,
    tenant,
    global,
    keptGlobal: new Set(options.globalUniques ?? []),
    candidates,
    scoped,
    scopedNames: new Set(scoped.map((t) => t.name)),
    internalFks: internalFksOf(schema, scoped),
    literal: `'${tenant.replace(/'/g, "''")}'`,
  };
  const totalRows = candidates.reduce((n, t) => n + t.rows, 0);
  return {
    schema,
    column,
    tenantForExisting: tenant,
    tables: candidates.map((t) => tablePlan(ctx, t, tables)),
    problems: planProblems(ctx),
    steps: STEPS.map(([name, build]) => ({ name, statements: build(ctx) })),
    // Rebuilding keys and indexes and the two scans dominate: about 3.5 s a million rows on the
    // bench's 2-core machine (npm run bench:adopt), plus the catalog work.
    estimatedSeconds: 0.3 + totalRows * 3.5e-6,
  };
}

/** What the plan cannot handle, named before anything runs. */
function planProblems({
  schema,
  column,
  global,
  keptGlobal,
  candidates,
  scoped,
  scopedNames,
}: PlanContext): string[] {
  const problems: string[] = [];
  // The plan predicts the run: what the run could only fail on, or leak, is named here.
  for (const t of scoped) {
    for (const mv of t.materializedViews) {
      problems.push(
        `${schema}.${mv} is a materialized view over ${t.name}: it stores rows, which row-level security cannot filter, so every customer could read all of them. Drop it, or replace it with a plain view (adoption makes views security_invoker), then plan again.`,
      );
    }
    for (const { view, constraint } of t.keyDependentViews) {
      problems.push(
        `The view ${view} depends on ${schema}.${t.name}'s key ${constraint} (it groups by it): the key must become per customer, which PostgreSQL refuses while the view depends on it. Drop ${view} before adopting and create it again after, or keep ${t.name} global.`,
      );
    }
  }
  const conflicting = scoped.filter((t) => t.columns.includes(column));
  if (conflicting.length > 0 && conflicting.length === scoped.length) {
    problems.push(
      `Every table of ${schema} already has ${column}: the schema looks adopted already. Verify it instead of adopting again.`,
    );
  } else {
    for (const t of conflicting) {
      problems.push(
        `${schema}.${t.name} already has a column named ${column} (adopted by hand, or a column of its own): rename it, choose another column name, or finish the table by hand — Verify shows what it lacks.`,
      );
    }
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
  for (const t of scoped) {
    for (const u of t.uniques.filter((x) => keptGlobal.has(x.name))) {
      for (const { t: child, f } of internalFksOf(schema, scoped).filter(
        (x) => x.f.refTable === t.name && same(x.f.refColumns, u.columns),
      )) {
        problems.push(
          `${schema}.${t.name}'s unique ${u.name} is kept global, but ${child.name}'s foreign key ${f.name} refers to it and must point at a per-customer key. Keep ${u.name} per customer.`,
        );
      }
    }
  }
  return problems;
}

const FROM_SETTING = `(nullif(current_setting('app.tenant_id', true), ''))`;

/** The steps of a run, in order, each with the builder of its statements. */
const STEPS: [string, (ctx: PlanContext) => string[]][] = [
  // The owner of the existing rows must be a customer; control.customers is itself under RLS.
  [
    "the customer for existing rows",
    ({ literal }) => [
      `select set_config('app.tenant_id', ${literal}, true)`,
      `insert into control.customers (id, name, status, contact_email) values (${literal}, 'Existing data (adopted)', 'active', 'unknown@example.invalid') on conflict (id) do nothing`,
      `select set_config('app.tenant_id', '', true)`,
    ],
  ],
  [
    "add column",
    ({ schema, scoped, column, literal }) =>
      scoped.map(
        (t) =>
          `alter table ${qualified(schema, t.name)} add column ${q(column)} text not null default ${literal}`,
      ),
  ],
  [
    "default from the tenant setting",
    ({ schema, scoped, column }) =>
      scoped.map(
        (t) =>
          `alter table ${qualified(schema, t.name)} alter column ${q(column)} set default ${FROM_SETTING}`,
      ),
  ],
  [
    "drop foreign keys",
    ({ schema, internalFks }) =>
      internalFks.map(
        ({ t, f }) => `alter table ${qualified(schema, t.name)} drop constraint ${q(f.name)}`,
      ),
  ],
  [
    "tenant-scoped keys",
    ({ schema, scoped, column, keptGlobal }) =>
      scoped.flatMap((t) => {
        const keys = perCustomerKeys(t, keptGlobal);
        if (keys.length === 0) return [];
        // One statement a table: PostgreSQL rebuilds its keys in one pass over it.
        const drops = keys.map((k) => `drop constraint ${q(k.name)}`);
        const adds = keys.map(
          (k) =>
            `add constraint ${q(k.name)} ${k === t.primaryKey ? "primary key" : "unique"} (${list([column, ...k.columns])})`,
        );
        return [`alter table ${qualified(schema, t.name)} ${[...drops, ...adds].join(", ")}`];
      }),
  ],
  [
    "composite foreign keys",
    ({ schema, internalFks, column }) =>
      internalFks.map(
        ({ t, f }) =>
          `alter table ${qualified(schema, t.name)} add constraint ${q(f.name)} foreign key (${list([column, ...f.columns])}) references ${qualified(schema, f.refTable)} (${list([column, ...f.refColumns])}) on delete ${f.onDelete} on update ${f.onUpdate}`,
      ),
  ],
  [
    "indexes leading with the tenant",
    ({ schema, scoped, column }) =>
      scoped.flatMap((t) =>
        rewrittenIndexes(t, column).flatMap((i) => [
          `drop index ${qualified(schema, i.name)}`,
          i.definition.replace(/ USING btree \(/, ` USING btree (${q(column)}, `),
        ]),
      ),
  ],
  [
    "row-level security",
    ({ schema, scoped, candidates, global, column }) => {
      const policy = `${q(column)} = ${CURRENT_TENANT_SQL}`;
      return [
        `grant usage on schema ${q(schema)} to tenantry_tenant, tenantry_platform`,
        ...scoped.flatMap((t) => [
          `alter table ${qualified(schema, t.name)} enable row level security`,
          `alter table ${qualified(schema, t.name)} force row level security`,
          `create policy ${q(`${t.name}_tenant_isolation`)} on ${qualified(schema, t.name)} using (${policy}) with check (${policy})`,
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
    ({ schema, scoped }) =>
      [...new Set(scoped.flatMap((t) => t.views))].map(
        (v) => `alter view ${qualified(schema, v)} set (security_invoker = true)`,
      ),
  ],
];

/** One table's part of the plan, in words: what changes and what is kept. */
function tablePlan(
  { column, tenant, global, keptGlobal, scopedNames }: PlanContext,
  t: TableInfo,
  tables: TableInfo[],
): TablePlan {
  if (global.has(t.name))
    return {
      table: t.name,
      rows: t.rows,
      rowsSource: t.rowsSource,
      scoped: false,
      changes: ["stays global reference data; readable by every customer"],
    };
  const changes = [`add ${column} (existing rows: ${tenant}; new rows: the tenant setting)`];
  if (t.primaryKey) changes.push(`primary key (${[column, ...t.primaryKey.columns].join(", ")})`);
  else changes.push("no primary key: nothing can refer to it; scoped by the column and the policy");
  for (const u of t.uniques) {
    changes.push(
      keptGlobal.has(u.name)
        ? `unique across all customers, kept: ${u.name} (${u.columns.join(", ")})`
        : `unique per customer: ${u.name} (${[column, ...u.columns].join(", ")})`,
    );
  }
  for (const f of t.foreignKeys) {
    changes.push(
      scopedNames.has(f.refTable)
        ? `foreign key ${f.name} → ${f.refTable} (${[column, ...f.refColumns].join(", ")})`
        : `foreign key ${f.name} → ${f.refTable} kept (global reference data)`,
    );
  }
  const rebuilt = rewrittenIndexes(t, column);
  for (const i of t.indexes) {
    changes.push(
      rebuilt.includes(i)
        ? `index ${i.name} rebuilt leading with ${column}`
        : `index ${i.name} kept as it is (not a plain btree, or it leads with ${column} already)`,
    );
  }
  if (t.partitioned) {
    const partitions = tables.filter((p) => p.partitionOf === t.name).map((p) => p.name);
    changes.push(
      `partitioned (${partitions.join(", ") || "no partitions yet"}): the column, keys and policy are declared on the parent and reach every partition`,
    );
  }
  if (t.triggers.length) changes.push(`triggers kept: ${t.triggers.join(", ")}`);
  if (t.views.length) changes.push(`views made security_invoker: ${t.views.join(", ")}`);
  changes.push("RLS enabled, forced, one policy on the tenant");
  return { table: t.name, rows: t.rows, rowsSource: t.rowsSource, scoped: true, changes };
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Foreign keys from a scoped table to a scoped table of the same schema: they become composite. */
function internalFksOf(schema: string, scoped: TableInfo[]) {
  const names = new Set(scoped.map((t) => t.name));
  return scoped.flatMap((t) =>
    t.foreignKeys
      .filter((f) => f.refSchema === schema && names.has(f.refTable))
      .map((f) => ({ t, f })),
  );
}

/** The keys that become per customer: the primary key and every unique not kept global. */
function perCustomerKeys(t: TableInfo, keptGlobal: Set<string>) {
  return [
    ...(t.primaryKey ? [t.primaryKey] : []),
    ...t.uniques.filter((u) => !keptGlobal.has(u.name)),
  ];
}

/** Plain btree indexes that do not lead with the tenant column yet; adoption rebuilds them leading with it. */
function rewrittenIndexes(t: TableInfo, column: string) {
  return t.indexes.filter(
    (i) =>
      / USING btree \(/.test(i.definition) &&
      !i.definition.includes(`(${column}`) &&
      !i.definition.includes(`("${column}"`),
  );
}

/**
 * The down migration of an adoption, generated from the catalog the adoption started from: the
 * policies and grants go, the composite keys and the tenant's indexes go with the column, and the
 * original keys, foreign keys and indexes come back exactly as they were defined.
 */
export function planRevert(
  schema: string,
  before: TableInfo[],
  options: Pick<PlanOptions, "column" | "globalTables" | "globalUniques"> = {},
) {
  const column = options.column ?? "tenant_id";
  const global = new Set(options.globalTables ?? []);
  const keptGlobal = new Set(options.globalUniques ?? []);
  const candidates = before.filter((t) => !t.partitionOf);
  const scoped = candidates.filter((t) => !global.has(t.name));
  const name = (t: { name: string }) => qualified(schema, t.name);
  const internalFks = internalFksOf(schema, scoped);
  const steps: AdoptionPlan["steps"] = [];
  const step = (stepName: string, statements: string[]) =>
    steps.push({ name: stepName, statements });

  step(
    "views back to their owner",
    [...new Set(scoped.flatMap((t) => t.views))].map(
      (v) => `alter view ${qualified(schema, v)} reset (security_invoker)`,
    ),
  );
  step("row-level security off", [
    ...scoped.flatMap((t) => [
      `drop policy if exists ${q(`${t.name}_tenant_isolation`)} on ${name(t)}`,
      `alter table ${name(t)} no force row level security`,
      `alter table ${name(t)} disable row level security`,
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
    internalFks.map(({ t, f }) => `alter table ${name(t)} drop constraint ${q(f.name)}`),
  );
  step(
    "drop the column",
    // Its per-customer keys and the indexes leading with it go with it.
    scoped.map((t) => {
      const drops = [
        ...perCustomerKeys(t, keptGlobal).map((k) => `drop constraint ${q(k.name)}`),
        `drop column ${q(column)}`,
      ];
      return `alter table ${name(t)} ${drops.join(", ")}`;
    }),
  );
  step(
    "original keys",
    scoped.flatMap((t) => {
      const keys = perCustomerKeys(t, keptGlobal);
      return keys.length
        ? [
            `alter table ${name(t)} ${keys.map((k) => `add constraint ${q(k.name)} ${k.definition}`).join(", ")}`,
          ]
        : [];
    }),
  );
  step(
    "original foreign keys",
    internalFks.map(
      ({ t, f }) => `alter table ${name(t)} add constraint ${q(f.name)} ${f.definition}`,
    ),
  );
  step(
    "original indexes",
    scoped.flatMap((t) => rewrittenIndexes(t, column).map((i) => i.definition)),
  );
  return { schema, column, steps };
}
