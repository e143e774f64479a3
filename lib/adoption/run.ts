// Running an adoption (DESIGN §7): the plan's SQL in one owner transaction, between a
// before-snapshot and a verification, with each step's progress written on a second connection
// so it can be watched live. Any failure — including one injected by a test at any step — rolls
// the whole transaction back and is recorded with the step, the table, the error and what to do.
import "server-only";
import { checkIsolation } from "@/db/guard";
import { inOwnerTransaction, withOwnerClient, type OwnerClient } from "@/db/owner";
import { generateCustomerId } from "@/lib/customers/ids";
import { introspect, type TableInfo } from "./introspect";
import { planAdoption, type PlanOptions } from "./plan";

export interface RunOptions extends PlanOptions {
  schema: string;
  /** Test hook: throw after this step (a step name, "before-snapshot" or "verify"). */
  failAfter?: string;
}

export type RunResult =
  | { ok: true; runId: string; ms: number; tables: number }
  | { ok: false; runId: string; step: string; table: string | null; error: string; instructions: string };

type Snapshot = Map<string, { rows: string; checksum: string }>;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Row count and an order-independent checksum of each table, over its original columns. */
async function snapshot(client: OwnerClient, schema: string, tables: TableInfo[]): Promise<Snapshot> {
  const result: Snapshot = new Map();
  for (const t of tables.filter((x) => !x.partitionOf)) {
    const row = `row(${t.columns.map(q).join(", ")})::text`;
    const { rows } = await client.query<{ rows: string; checksum: string }>(
      `select count(*)::text as rows, coalesce(sum(('x' || substr(md5(${row}), 1, 15))::bit(60)::bigint), 0)::text as checksum from ${q(schema)}.${q(t.name)}`,
    );
    result.set(t.name, rows[0]);
  }
  return result;
}

async function verify(client: OwnerClient, schema: string, tables: TableInfo[], before: Snapshot, column: string, scoped: Set<string>) {
  const after = await snapshot(client, schema, tables);
  for (const [table, b] of before) {
    const a = after.get(table)!;
    if (a.rows !== b.rows) throw new StepError(`${schema}.${table} has ${a.rows} rows after, ${b.rows} before`, table);
    if (a.checksum !== b.checksum) throw new StepError(`${schema}.${table}'s content checksum changed`, table);
  }
  const { rows: invalid } = await client.query(
    "select conname from pg_constraint k join pg_namespace n on n.oid = k.connamespace where n.nspname = $1 and not k.convalidated",
    [schema],
  );
  if (invalid.length) throw new StepError(`constraint ${invalid[0].conname} is not validated`, null);
  const report = await checkIsolation(client);
  const failing = report.checks.find((c) => !c.ok && c.name.startsWith(`${schema}.`));
  if (failing) throw new StepError(failing.detail, failing.name.split(" ")[0].split(".")[1]);
  for (const table of scoped) {
    const { rows } = await client.query(`select count(*)::int as n from ${q(schema)}.${q(table)} where ${q(column)} is null`);
    if (rows[0].n > 0) throw new StepError(`${schema}.${table} has ${rows[0].n} rows without a customer`, table);
  }
  // The probe: as the tenant role, under a customer that owns nothing, every table is empty.
  await client.query("set local role tenantry_tenant");
  await client.query("select set_config('app.tenant_id', $1, true)", [generateCustomerId()]);
  for (const table of scoped) {
    const { rows } = await client.query(`select count(*)::int as n from ${q(schema)}.${q(table)}`);
    if (rows[0].n > 0) throw new StepError(`a probe as another customer sees ${rows[0].n} rows of ${schema}.${table}`, table);
  }
  await client.query("reset role");
  await client.query("select set_config('app.tenant_id', '', true)");
}

class StepError extends Error {
  constructor(
    message: string,
    readonly table: string | null,
  ) {
    super(message);
  }
}

const tableOf = (statement: string) => statement.match(/^alter (?:table|view) "[^"]+"\."([^"]+)"/)?.[1] ?? statement.match(/on "[^"]+"\."([^"]+)"/)?.[1] ?? null;

export async function runAdoption(ownerUrl: string, options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return withOwnerClient(ownerUrl, async (progress) => {
    const { rows } = await progress.query<{ id: string }>(
      "insert into control.adoption_runs (schema_name, kind, status, options) values ($1, 'adopt', 'running', $2) returning id",
      [options.schema, JSON.stringify({ ...options, failAfter: undefined })],
    );
    const runId = rows[0].id;
    let current = "start";
    let currentTable: string | null = null;
    let stepRow: number | null = null;
    const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      current = name;
      currentTable = null;
      const t0 = Date.now();
      const { rows: s } = await progress.query<{ id: string }>(
        "insert into control.adoption_steps (run_id, step, started_at, outcome) values ($1, $2, now(), 'running') returning id",
        [runId, name],
      );
      stepRow = Number(s[0].id);
      const result = await work();
      if (options.failAfter === name) throw new StepError(`injected failure after ${name}`, currentTable);
      await progress.query("update control.adoption_steps set outcome = 'ok', ms = $2 where id = $1", [stepRow, Date.now() - t0]);
      stepRow = null;
      return result;
    };
    try {
      const tableCount = await inOwnerTransaction(ownerUrl, async (client, tx) => {
        const { rows: lock } = await client.query("select pg_try_advisory_xact_lock(hashtext('tenantry.adoption')) as ok");
        if (!lock[0].ok) throw new StepError("another adoption run is in progress", null);
        current = "plan";
        const tables = await introspect(tx, options.schema);
        const plan = planAdoption(options.schema, tables, options);
        if (tables.length === 0) throw new StepError(`schema ${options.schema} has no tables`, null);
        if (plan.problems.length) throw new StepError(plan.problems.join(" "), null);
        const before = await step("before-snapshot", () => snapshot(client, options.schema, tables));
        for (const s of plan.steps) {
          await step(s.name, async () => {
            for (const statement of s.statements) {
              currentTable = tableOf(statement);
              await client.query(statement);
            }
          });
        }
        const scoped = new Set(plan.tables.filter((t) => t.scoped).map((t) => t.table));
        await step("verify", () => verify(client, options.schema, tables, before, plan.column, scoped));
        return tables.length;
      });
      await progress.query("update control.adoption_runs set status = 'succeeded', finished_at = now() where id = $1", [runId]);
      return { ok: true, runId, ms: Date.now() - started, tables: tableCount };
    } catch (error) {
      const message = (error as Error).message;
      const table = error instanceof StepError ? error.table : currentTable;
      const instructions =
        `Nothing changed: the run was one transaction and it was rolled back, so the schema and its data are as they were. ` +
        `It stopped at "${current}"${table ? ` on ${options.schema}.${table}` : ""}: ${message}. ` +
        "Fix the cause (the plan lists what it will do: npm run adopt -- plan --sql), then run the adoption again.";
      if (stepRow !== null) await progress.query("update control.adoption_steps set outcome = 'failed' where id = $1", [stepRow]);
      await progress.query("update control.adoption_steps set outcome = 'rolled back' where run_id = $1 and outcome = 'ok'", [runId]);
      await progress.query(
        "update control.adoption_runs set status = 'failed', finished_at = now(), failed_step = $2, error = $3, instructions = $4 where id = $1",
        [runId, current, message, instructions],
      );
      return { ok: false, runId, step: current, table, error: message, instructions };
    }
  });
}
