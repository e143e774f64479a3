// Running an adoption, its revert, or a verification (docs/architecture.md §9). A revert or a
// verification is one owner transaction, between a before-snapshot and a verification. An
// adoption runs in the plan's phases, so the tables are locked only while the catalog changes;
// a failure at any step — including one injected by a test — rolls back the transaction it is
// in and undoes what earlier phases committed. The record of the run (its lock, its row, its
// live steps) is recorder.ts's, on a second connection.
import "server-only";
import { and, desc, eq, inArray } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import type { Tx } from "@/db/tenant";
import {
  inOwnerTransaction,
  withOwnerClient,
  withSnapshotReaders,
  type OwnerClient,
} from "@/db/owner";
import { counterDrops, ensureRowCounters } from "@/lib/usage/counters";
import { adoptionRuns } from "@/db/schema";
import { introspect, type TableInfo } from "./introspect";
import { ADOPTION_LOCK, RunRecorder, type RunKind } from "./recorder";
import { assignCustomers, probeTwoCustomers, readSources, tenantSources } from "./from-column";
import { planAdoption, planRevert, type PlanOptions, type PlanStep } from "./plan";
import { ident as q, qualified } from "./sql";
import { ownerUrlIn, PRIMARY_DATABASE } from "@/db/databases";
import { listDatabases } from "../databases/registry";
import {
  contentSnapshot,
  mergeReports,
  verifySchema,
  type VerifyOptions,
  type VerifyReport,
} from "./verify";

export type { RunKind };

export interface RunHooks {
  /** Called once the run is recorded and holds the lock, before any change: a dashboard can watch it from here. */
  onStart?: (runId: string) => void;
  /** Test hook: throw after this step (a step name, "before-snapshot" or "verify"). */
  failAfter?: string;
}

export interface AdoptOptions extends PlanOptions, RunHooks {
  schema: string;
}

export type RunResult =
  | { ok: true; runId: string; ms: number; tables: number; report: VerifyReport }
  | {
      ok: false;
      runId: string;
      step: string;
      table: string | null;
      error: string;
      instructions: string;
    };

/** What a run does inside its transaction, prepared from the catalog once the lock is held. */
interface Work {
  steps: PlanStep[];
  /**
   * An adoption's phases run in their own transactions, outside the plan's; `undo` says what
   * undoes them once `prepare` or `locked` committed. Without it, the run is one transaction.
   */
  undo?: { prepared: string[]; locked: () => PlanStep[] };
  /** The column whose presence the content checksums leave out (see verify's scanTable). */
  column: string;
  /** Whether every table must keep its rows and content (adopt, revert); a verification changes nothing. */
  preserves: boolean;
  /** The last step: the verification report of the schema as the run leaves it. */
  verify: (client: OwnerClient, readers?: OwnerClient[]) => Promise<VerifyReport>;
  /** Throws a StepError when the report is not what the run must end on. */
  accept: (report: VerifyReport, tx: NodePgDatabase, client: OwnerClient) => Promise<void>;
  /** Kept with an adopt run: the catalog its revert restores. */
  beforeCatalog?: TableInfo[];
  options: Record<string, unknown>;
}

export { ADOPTION_LOCK };
const LOCKED_OUT =
  "Nothing changed: another adoption, revert or verification holds the lock. Wait for it to end, then try again.";

export class StepError extends Error {
  constructor(
    message: string,
    readonly table: string | null,
  ) {
    super(message);
  }
}

type Snapshot = Map<string, { rows: number; checksum: string }>;

/** Rows and content equal to the before-snapshot, and every constraint of the schema validated. */
async function compareWithBefore(
  client: OwnerClient,
  schema: string,
  before: Snapshot,
  report: VerifyReport,
  leftNotValid: Set<string>,
) {
  for (const [table, b] of before) {
    const a = report.tables.find((t) => t.table === table);
    if (!a) throw new StepError(`${schema}.${table} is gone`, table);
    if (a.rows !== b.rows)
      throw new StepError(`${schema}.${table} has ${a.rows} rows after, ${b.rows} before`, table);
    if (a.checksum !== b.checksum)
      throw new StepError(`${schema}.${table}'s content checksum changed`, table);
  }
  await assertValidated(client, schema, leftNotValid);
}

// Top-level constraints only: a foreign key to a partitioned table has a clone per partition
// (conparentid), which PostgreSQL 15 leaves marked not validated when the key itself is validated.
const UNVALIDATED =
  "select k.conname, c.relname as table from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and not k.convalidated and k.conparentid = 0";

/** The schema's constraints not validated as the run starts (`table.constraint`): NOT VALID as its owner left them. */
async function unvalidatedConstraints(client: OwnerClient, schema: string): Promise<Set<string>> {
  const { rows } = await client.query<{ conname: string; table: string }>(UNVALIDATED, [schema]);
  return new Set(rows.map((r) => `${r.table}.${r.conname}`));
}

/**
 * Every constraint of the schema validated (none left NOT VALID but those `leftNotValid` names,
 * which were so before the run), and every index valid.
 */
async function assertValidated(client: OwnerClient, schema: string, leftNotValid: Set<string>) {
  const { rows } = await client.query<{ conname: string; table: string }>(UNVALIDATED, [schema]);
  const invalid = rows.filter((r) => !leftNotValid.has(`${r.table}.${r.conname}`));
  if (invalid.length)
    throw new StepError(`constraint ${invalid[0].conname} is not validated`, invalid[0].table);
  // An index left invalid: a concurrent build that failed, or a partitioned one missing a partition.
  const { rows: indexes } = await client.query<{ index: string; table: string }>(
    "select x.relname as index, c.relname as table from pg_index i join pg_class x on x.oid = i.indexrelid join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and not i.indisvalid",
    [schema],
  );
  if (indexes.length)
    throw new StepError(`index ${indexes[0].index} is not valid`, indexes[0].table);
}

/** The options an adopt run records: what its verification and its revert need. */
export type RecordedOptions = PlanOptions & {
  column: string;
  tenantForExisting: string;
  globalTables: string[];
};

/** The schema's standing adoption: its latest successful adopt run, unless a revert came after it. */
export async function standingAdoption(tx: NodePgDatabase, schema: string) {
  const [latest] = await tx
    .select({ id: adoptionRuns.id, kind: adoptionRuns.kind, options: adoptionRuns.options })
    .from(adoptionRuns)
    .where(
      and(
        eq(adoptionRuns.schemaName, schema),
        eq(adoptionRuns.status, "succeeded"),
        inArray(adoptionRuns.kind, ["adopt", "revert"]),
      ),
    )
    .orderBy(desc(adoptionRuns.startedAt))
    .limit(1);
  return latest?.kind === "adopt"
    ? { id: latest.id, options: latest.options as RecordedOptions }
    : null;
}

/** The tables, keys and indexes that a revert must bring back, compared by definition. */
function catalogDifferences(before: TableInfo[], after: TableInfo[]): string[] {
  const shape = (t: TableInfo) =>
    JSON.stringify({
      columns: t.columns,
      primaryKey: t.primaryKey?.definition ?? null,
      uniques: t.uniques.map((u) => `${u.name} ${u.definition}`),
      foreignKeys: t.foreignKeys.map((f) => `${f.name} ${f.definition}`),
      indexes: t.indexes.map((i) => i.definition),
      rls: [t.rlsEnabled, t.rlsForced],
      triggers: t.triggers,
    });
  const afterByName = new Map(after.map((t) => [t.name, t]));
  return before
    .filter((t) => !afterByName.has(t.name) || shape(t) !== shape(afterByName.get(t.name)!))
    .map((t) => t.name);
}

async function execute(
  ownerUrl: string,
  kind: RunKind,
  schema: string,
  hooks: RunHooks,
  prepare: (client: OwnerClient, tx: NodePgDatabase) => Promise<Work>,
): Promise<RunResult> {
  const started = Date.now();
  return withOwnerClient(ownerUrl, async (progress) => {
    const record = new RunRecorder(progress);
    if (!(await record.lock())) {
      const error = "another run is in progress";
      const runId = await record.refused(schema, kind, error, LOCKED_OUT);
      return { ok: false, runId, step: "start", table: null, error, instructions: LOCKED_OUT };
    }
    try {
      const runId = await record.start(schema, kind);
      hooks.onStart?.(runId);

      let current = "start";
      let currentTable: string | null = null;
      const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
        current = name;
        currentTable = null;
        const entry = record.stepStarted(runId, name);
        try {
          const result = await work();
          if (hooks.failAfter === name)
            throw new StepError(`injected failure after ${name}`, currentTable);
          record.stepEnded(runId, entry, "ok");
          return result;
        } catch (error) {
          record.stepEnded(runId, entry, "failed");
          throw error;
        }
      };

      let options: Record<string, unknown> = {};
      try {
        const statements = (client: OwnerClient) => async (s: PlanStep) =>
          step(s.name, async () => {
            for (const statement of s.statements) {
              currentTable = tableOf(statement);
              await client.query(statement);
            }
          });
        // Constraints NOT VALID before the run stay so; any other must end validated.
        let leftNotValid = new Set<string>();
        const first = await inOwnerTransaction(ownerUrl, async (client, tx) => {
          await settle(client, "local");
          // Reading the catalog waits for the tables' locks like any step, so it is one too.
          const work = await step("plan", () => prepare(client, tx));
          options = work.options;
          leftNotValid = await unvalidatedConstraints(client, schema);
          if (work.undo) return { work, report: null };
          await lockUpFront(client, schema, work.steps);
          const before = work.preserves
            ? await step("before-snapshot", () => contentSnapshot(client, schema, work.column))
            : null;
          for (const s of work.steps) await statements(client)(s);
          const report = await step("verify", async () => {
            const result = await work.verify(client);
            if (before) await compareWithBefore(client, schema, before, result, leftNotValid);
            await work.accept(result, tx, client);
            return result;
          });
          return { report, work };
        });
        const work = first.work;
        let report = first.report;
        if (!report) {
          // The phases: each transactional one commits on its own, the others run statement by statement.
          let committed: "nothing" | "prepared" | "locked" = "nothing";
          try {
            for (const phase of ["prepare", "concurrent", "locked", "validate"] as const) {
              const steps = work.steps.filter((s) => s.phase === phase);
              if (phase === "prepare" || phase === "locked") {
                await inOwnerTransaction(ownerUrl, async (client) => {
                  await settle(client, "local");
                  await lockUpFront(client, schema, steps);
                  for (const s of steps) await statements(client)(s);
                });
                committed = phase === "prepare" ? "prepared" : "locked";
              } else {
                // The largest tables first, so the last to end is not a large one begun late.
                const rows = new Map(work.beforeCatalog?.map((t) => [t.name, t.rows]));
                for (const s of steps)
                  await step(s.name, () =>
                    inParallel(
                      ownerUrl,
                      s.statements,
                      PARALLEL,
                      (table) => rows.get(table) ?? 0,
                      (table) => (currentTable = table),
                    ),
                  );
              }
            }
            report = await inOwnerTransaction(ownerUrl, (client, tx) =>
              step("verify", async () => {
                // One snapshot for every count of the verification, as writers go on, shared
                // with the connections that read tables beside this one.
                await client.query("set transaction isolation level repeatable read");
                const result = await withSnapshotReaders(
                  ownerUrl,
                  client,
                  PARALLEL - 1,
                  (readers) => work.verify(client, readers),
                );
                await assertValidated(client, schema, leftNotValid);
                await work.accept(result, tx, client);
                return result;
              }),
            );
          } catch (error) {
            if (committed !== "nothing")
              await undo(ownerUrl, work.undo!, committed, error as Error);
            throw error;
          }
        }
        await record.succeeded(runId, {
          options: work.options,
          beforeCatalog: work.beforeCatalog,
          report,
        });
        return { ok: true, runId, ms: Date.now() - started, tables: report.tables.length, report };
      } catch (error) {
        const message = (error as Error).message;
        const table = error instanceof StepError ? error.table : currentTable;
        const instructions = failureInstructions(kind, schema, current, table, message);
        await record.failed(runId, { options, step: current, error: message, instructions });
        return { ok: false, runId, step: current, table, error: message, instructions };
      }
    } finally {
      await record.unlock();
    }
  });
}

/** Connections the concurrent builds and the validations spread over (2 cores here). */
const PARALLEL = Math.max(1, Number(process.env.ADOPTION_PARALLELISM ?? 2));

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)`;

/**
 * Statements that need no transaction (concurrent index builds, validations), table by table
 * (the largest by `size` first) over `workers` connections, so no two touch one table at once (two builds on one table would
 * wait for each other: a deadlock). Builds on different tables go side by side: a build of an
 * index with an expression or a predicate waits for the others' transactions, but they do not
 * wait for it. The first failure stops the others after their current statement and is thrown.
 */
async function inParallel(
  ownerUrl: string,
  statements: string[],
  workers: number,
  size: (table: string) => number,
  failedOn: (table: string | null) => void,
) {
  // A statement that names no table (dropping what an interrupted run built) goes with the
  // next one that does, which it makes room for.
  const groups = new Map<string, string[]>();
  let pending: string[] = [];
  for (const x of statements) {
    const table = tableOf(x);
    if (table === null) pending.push(x);
    else {
      groups.set(table, [...(groups.get(table) ?? []), ...pending, x]);
      pending = [];
    }
  }
  if (pending.length) groups.set("", pending);
  const queue = [...groups.entries()]
    .sort(([a], [b]) => size(b) - size(a))
    .map(([, group]) => group);
  let failure: Error | null = null;
  const run = async (client: OwnerClient, x: string) => {
    try {
      await client.query(x);
    } catch (error) {
      failedOn(tableOf(x));
      throw error;
    }
  };
  const worker = (client: OwnerClient) =>
    (async () => {
      await settle(client, "session");
      for (let group = queue.shift(); group && !failure; group = queue.shift())
        for (const x of group) {
          if (failure) break;
          await run(client, x).catch((error: Error) => {
            failure ??= error;
          });
        }
    })();
  await Promise.all(
    Array.from({ length: Math.min(workers, queue.length) }, () =>
      withOwnerClient(ownerUrl, worker),
    ),
  );
  if (failure) throw failure;
}

/**
 * Takes every table of `schema` that `steps` name, all at once, before the first of them runs.
 * Taking them one by one as the statements come holds some while waiting for others: an
 * application statement that holds one of those while waiting for one of these (an insert into
 * a child that reads its parent) deadlocks with the run, and the database cancels one of the
 * two, perhaps the application's. Here each attempt waits at most 100 ms — less than the
 * database's deadlock_timeout (1 s by default), so the run always gives way first — and lets
 * go of everything before trying again shortly, for as long as a lock may be waited for.
 */
async function lockUpFront(client: OwnerClient, schema: string, steps: PlanStep[]) {
  const named = new Set<string>();
  for (const statement of steps.flatMap((s) => s.statements))
    for (const [, s, t] of statement.matchAll(/"((?:[^"]|"")+)"\."((?:[^"]|"")+)"/g))
      if (s.replace(/""/g, '"') === schema) named.add(t.replace(/""/g, '"'));
  const { rows } = await client.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relname = any($2) and c.relkind in ('r', 'p') order by c.oid`,
    [schema, [...named]],
  );
  if (rows.length === 0) return;
  const tables = rows.map((r) => r.name).join(", ");
  await client.query("set local lock_timeout = '100ms'");
  for (const deadline = Date.now() + LOCK_WAIT_MS; ;) {
    await client.query("savepoint up_front");
    try {
      await client.query(`lock table ${tables} in access exclusive mode`);
      await client.query("release savepoint up_front");
      break;
    } catch (error) {
      await client.query("rollback to savepoint up_front");
      if ((error as { code?: string }).code !== "55P03" || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
  }
  await client.query(`set local lock_timeout = '${LOCK_WAIT_MS}ms'`);
}

/** How long a run's transaction waits for a table the application holds, then fails and says so. */
const LOCK_WAIT_MS = 10_000;

/** Each transaction of a run waits at most LOCK_WAIT_MS for a table the application holds, then fails and says so. */
async function settle(client: OwnerClient, scope: "local" | "session") {
  const set = scope === "local" ? "set local" : "set";
  await client.query(`${set} lock_timeout = '${LOCK_WAIT_MS}ms'`);
  await client.query(`${set} maintenance_work_mem = '256MB'`);
  await client.query(`${set} work_mem = '64MB'`);
}

/**
 * Undoes an adoption's committed phases after a failure: the down migration once the lock
 * window committed, or the built indexes and the column before it. Never hides the failure
 * itself; when the undo fails too, the error says both and where the schema was left.
 */
async function undo(
  ownerUrl: string,
  plan: NonNullable<Work["undo"]>,
  committed: "prepared" | "locked",
  failure: Error,
) {
  try {
    if (committed === "locked") {
      await inOwnerTransaction(ownerUrl, async (client) => {
        await settle(client, "local");
        for (const s of plan.locked())
          for (const statement of s.statements) await client.query(statement);
      });
    } else {
      await withOwnerClient(ownerUrl, async (client) => {
        await settle(client, "session");
        for (const statement of plan.prepared) await client.query(statement);
      });
    }
  } catch (error) {
    failure.message += `; undoing the run failed as well (${(error as Error).message}), so the schema is left partly adopted: plan again, and the plan finishes it`;
    throw failure;
  }
}

/** What a failed run tells its user: that nothing changed, where it stopped, and what to do. */
function failureInstructions(
  kind: RunKind,
  schema: string,
  step: string,
  table: string | null,
  message: string,
): string {
  const what =
    kind === "verify" ? "The verification" : kind === "revert" ? "The revert" : "The adoption";
  if (/undoing the run failed as well/.test(message))
    return `${what} stopped at "${step}"${table ? ` on ${schema}.${table}` : ""}: ${message}.`;
  return (
    (kind === "adopt"
      ? "Nothing changed: the transaction the run was in was rolled back and what it had committed before was undone, so the schema and its data are as they were. "
      : "Nothing changed: the run was one transaction and it was rolled back, so the schema and its data are as they were. ") +
    `${what} stopped at "${step}"${table ? ` on ${schema}.${table}` : ""}: ${message}. ` +
    "Fix the cause (the plan shows every statement: npm run adoption -- plan --sql), then run it again."
  );
}

const TABLE_OF = [
  String.raw`^alter (?:table|view) (?:only )?`,
  String.raw`^create (?:unique )?index (?:concurrently )?${IDENT} on (?:only )?`,
  String.raw` on (?:only )?`, // a policy's, a trigger's, a grant's
].map((head) => new RegExp(String.raw`${head}${IDENT}\.(${IDENT})`, "i"));

/**
 * The table a statement changes, as the catalog names it (the plan quotes names; definitions
 * from the catalog quote only where needed), or null.
 */
const tableOf = (statement: string) => {
  const name = TABLE_OF.map((r) => statement.match(r)?.[1]).find(Boolean);
  if (!name) return null;
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
};

/**
 * The plan's options with what a plan from a column needs from the data: the values, their
 * counts, and each value's customer (new ones get their IDs here). Unchanged otherwise.
 */
export async function withSources(
  tx: Tx,
  schema: string,
  tables: TableInfo[],
  options: PlanOptions,
): Promise<PlanOptions> {
  if (!options.from) return options;
  const global = new Set(options.globalTables ?? []);
  const scoped = tables.filter((t) => !t.partitionOf && !t.extension && !global.has(t.name));
  const sources = await readSources(
    tx,
    schema,
    scoped,
    tenantSources(schema, scoped, options.from),
    options.from,
  );
  return { ...options, sources, customers: assignCustomers(sources, options.from) };
}

/**
 * Adopts `schema`: the plan's SQL, verified, or nothing at all. Then its tables get the row
 * counters (lib/usage/counters.ts); should that fail, the adoption stands and the usage
 * snapshot counts those tables by scanning until the reconcile makes them.
 */
export async function runAdoption(ownerUrl: string, options: AdoptOptions): Promise<RunResult> {
  const result = await adopt(ownerUrl, options);
  if (result.ok)
    await withOwnerClient(ownerUrl, (client) => ensureRowCounters(client)).catch((error: Error) =>
      console.error(`adoption ${result.runId}: ${error.message}`),
    );
  return result;
}

function adopt(ownerUrl: string, options: AdoptOptions): Promise<RunResult> {
  const { schema, onStart, failAfter, ...planOptions } = options;
  return execute(ownerUrl, "adopt", schema, { onStart, failAfter }, async (client, tx) => {
    const [{ me }] = (await client.query<{ me: string }>("select current_user as me")).rows;
    const tables = await introspect(tx, schema, { runAs: me, column: planOptions.column });
    if (tables.length === 0) throw new StepError(`schema ${schema} has no tables`, null);
    const plan = planAdoption(schema, tables, await withSources(tx, schema, tables, planOptions));
    if (plan.problems.length) throw new StepError(plan.problems.join(" "), null);
    const column = plan.column;
    const globalTables = planOptions.globalTables ?? [];
    const globalUniques = planOptions.globalUniques ?? [];
    return {
      steps: plan.steps.filter((s) => s.statements.length > 0),
      undo: {
        prepared: plan.undoPrepared,
        locked: () => planRevert(schema, tables, { column, globalTables, globalUniques }).steps,
      },
      column,
      // The application keeps writing while the run goes on, so the content is not compared
      // before and after; no step rewrites a row (the tests prove it by fingerprint).
      preserves: false,
      beforeCatalog: tables,
      options: {
        ...planOptions,
        column,
        tenantForExisting: plan.tenantForExisting,
        globalTables,
        // The mapping from the column's values to customers, kept with the run.
        ...(plan.customers ? { customers: plan.customers } : {}),
      },
      // Nothing compares the content's checksums here (see preserves): not taken.
      verify: (c, readers) =>
        verifySchema(c, schema, { column, globalTables, readers, checksums: false }),
      accept: async (report, _tx, c) => {
        const failing = report.tables.find((t) => t.problems.length > 0);
        if (failing) throw new StepError(failing.problems[0], failing.table);
        if (!report.probe.ok) throw new StepError(report.probe.detail, null);
        if (planOptions.from) {
          const scopedTables = plan.tables.filter((t) => t.scoped).map((t) => t.table);
          const probe = await probeTwoCustomers(c, schema, scopedTables, column);
          if (probe.differences.length) throw new StepError(probe.differences[0], null);
        }
      },
    };
  });
}

/** Reverts the schema's standing adoption with the down migration generated from its recorded catalog. */
export function runRevert(
  ownerUrl: string,
  options: { schema: string } & RunHooks,
): Promise<RunResult> {
  const { schema, ...hooks } = options;
  return execute(ownerUrl, "revert", schema, hooks, async (client, tx) => {
    const adoption = await standingAdoption(tx, schema);
    if (!adoption)
      throw new StepError(
        `${schema} has no adoption to revert: it was not adopted by Tenantry, or it was reverted already`,
        null,
      );
    // The counters came after the adoption; they go first, as the revert's first step (so their
    // tables are taken with the others', all at once).
    const drops = await counterDrops(client, schema);
    const [{ beforeCatalog }] = await tx
      .select({ beforeCatalog: adoptionRuns.beforeCatalog })
      .from(adoptionRuns)
      .where(eq(adoptionRuns.id, adoption.id));
    const before = beforeCatalog as TableInfo[];
    const { column, globalTables, globalUniques = [], tenantForExisting } = adoption.options;
    // Dropping the column would merge every customer's rows into one single-tenant table.
    // (Tables that had the column before the adoption keep it: nothing merges there. An
    // adoption from a column leaves that column as it was: each row keeps its customer there.)
    for (const t of (adoption.options.from ? [] : before).filter(
      (x) =>
        !x.partitionOf &&
        !x.extension &&
        !globalTables.includes(x.name) &&
        !x.columns.includes(column),
    )) {
      const { rows } = await client.query<{ n: string }>(
        `select count(*) as n from ${qualified(schema, t.name)} where ${q(column)} is distinct from $1`,
        [tenantForExisting],
      );
      if (Number(rows[0].n) > 0) {
        throw new StepError(
          `${rows[0].n} rows of ${schema}.${t.name} belong to customers other than ${tenantForExisting}: reverting would merge them into one single-tenant table. Move or delete them first.`,
          t.name,
        );
      }
    }
    const down = planRevert(schema, before, { column, globalTables, globalUniques });
    return {
      steps: [
        ...(drops.length
          ? [{ name: "row counters", phase: "locked" as const, statements: drops }]
          : []),
        ...down.steps,
      ],
      column,
      preserves: true,
      options: { reverts: adoption.id, column, globalTables },
      verify: (c) => verifySchema(c, schema, { column }),
      accept: async (_report, t) => {
        const differs = catalogDifferences(before, await introspect(t, schema));
        if (differs.length)
          throw new StepError(
            `the catalog differs from before the adoption in ${differs.join(", ")}`,
            differs[0],
          );
      },
    };
  });
}

/**
 * The schema verified on every other registered database that is not offline (customers placed
 * there have their rows there, docs/architecture.md §13). One that cannot be read fails the run.
 */
async function verifyElsewhere(ownerUrl: string, schema: string, options: VerifyOptions) {
  const reports: { database: string; report: VerifyReport }[] = [];
  for (const entry of await listDatabases(ownerUrl)) {
    if (entry.name === PRIMARY_DATABASE || entry.status === "offline") continue;
    const report = await withOwnerClient(ownerUrlIn(ownerUrl, entry), async (client) => {
      await client.query("begin isolation level repeatable read");
      try {
        return await verifySchema(client, schema, options);
      } finally {
        await client.query("rollback");
      }
    }).catch((error: Error) => {
      throw new StepError(`${entry.name} cannot be verified: ${error.message}`, null);
    });
    reports.push({ database: entry.name, report });
  }
  return reports;
}

/**
 * Verifies the schema as it stands, on the primary and every registered database, and records
 * the report; changes nothing.
 */
export function runVerification(
  ownerUrl: string,
  options: { schema: string } & RunHooks,
): Promise<RunResult> {
  const { schema, ...hooks } = options;
  return execute(ownerUrl, "verify", schema, hooks, async (_client, tx) => {
    const adoption = await standingAdoption(tx, schema);
    const column = adoption?.options.column ?? "tenant_id";
    const globalTables = adoption?.options.globalTables ?? [];
    return {
      steps: [],
      column,
      preserves: false,
      options: { column, globalTables },
      verify: async (c) =>
        mergeReports(
          await verifySchema(c, schema, { column, globalTables }),
          await verifyElsewhere(ownerUrl, schema, { column, globalTables }),
        ),
      accept: async () => undefined,
    };
  });
}
