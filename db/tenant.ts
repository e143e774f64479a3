// The tenant-bound layer (docs/architecture.md §2): the only ways to touch data.
//   withTenant   — one customer's data, as tenantry_tenant, subject to RLS;
//   withPlatform — cross-tenant, as tenantry_platform, super-admins only, audited;
//   withSystem   — no user yet (sign-in, context resolution, jobs, seeds): a narrow door that
//                  only the modules named in SYSTEM_PURPOSES may open.
// Each runs in a transaction whose settings are transaction-local, so nothing outlives it on
// a pooled connection. The settings travel as bound parameters in the same network write as
// the statement they govern, so binding a tenant costs no round trip of its own:
//   - writes: BEGIN, the settings and the first statement go out together; COMMIT follows;
//   - reads (readOnly): each statement goes out behind the settings and a read-only flag as
//     one implicit transaction (a pipeline up to Sync is one transaction). Under READ
//     COMMITTED every statement takes its own snapshot anyway, so a read-only BEGIN…COMMIT
//     would add a round trip and no consistency.
// Statements through the tenant, customer-data and system doors are named statements, prepared
// once per session under a name taken from their text: after the first time only their Bind
// travels, and the server skips parsing, analysing and rewriting them. RLS holds on prepared
// statements: the policy reads the setting when the statement runs, and PostgreSQL rewrites a
// statement again under another role. After five runs PostgreSQL may keep a generic plan where
// its estimate is no worse than the values' own plans (plan_cache_mode auto, which the
// PL/pgSQL functions and triggers also rely on: forcing custom plans session-wide made the rate
// limit's function 2× slower). The platform door's statements stay unnamed: a super-admin's
// cross-customer pages (a million customers, filters, prefix searches) are planned for each
// request's values.
// Not named either: a text with `*` in its select list (a table recreated with other columns
// would change its result, which a prepared statement refuses), a text with PLANNED_PER_CALL in
// its condition (one whose best plan depends on the customer's size: a generic plan, costed for
// the average customer, would sort a large customer's 20 000 users for a page of 50), very long
// texts, and new texts once a session holds MAX_NAMED_PER_SESSION. A pooler in transaction mode,
// which moves sessions under the app, would need naming turned off.
import "server-only";
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { insertAuditEvent } from "../lib/audit/record";
import { isCustomerId } from "../lib/customers/ids";
import { appPool, setAppPool } from "./client";
import { stopListening } from "./listen";
import { databasePool, type DatabaseEntry } from "./databases";
import { cachedPlacement, hasMoved } from "./placement";

// Without the relational-query schema: building that per transaction cost ~30 µs a call
// (bench:rls), about a tenth of a point query. Use the select/insert builders.
export type Tx = NodePgDatabase;

export interface TenantContext {
  tenantId: string;
}

export interface PlatformContext {
  /** The super-admin; null for a platform token (an API key a super-admin issued). */
  userId: string | null;
  email: string | null;
  platformRole: "super_admin" | null;
  /** The audit's actor role when it is not a super-admin's session (`platform_token`). */
  actorRole?: string;
}

export interface PlatformAccess {
  /** What the super-admin is doing, e.g. `customers.list`; written to the audit log. */
  action: string;
  outcome?: "ok" | "denied" | "failed";
  tenantId?: string;
  /** The switch the super-admin acts under, if any. */
  actingAs?: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  /** Where the request came from, when there is one. */
  meta?: { ip: string | null; userAgent: string | null; requestId: string };
}

export const SYSTEM_PURPOSES = [
  "seed",
  "sign-in",
  "request-context",
  "usage-snapshot",
  "adoption",
  "admin-create",
  "invite-accept",
  "audit-verify",
  // The audit chains' sequencer seals what writers inserted unsealed.
  "audit-seal",
  "bench",
  // The platform API: a key is looked up before its customer is known; the rate limits'
  // buckets and monthly call counts are the platform's.
  "api-key",
  "rate-limit",
  // Alerts: raised where no request is (a worker), and delivered to the webhook.
  "alerts",
  // The lifecycle's own changes: a trial past its end expires.
  "lifecycle",
  // One's own account (its second factor, its sessions) and redeeming a password reset link.
  "account",
  // A user's one export slot, shared by every instance of the console.
  "export-slot",
] as const;
export type SystemPurpose = (typeof SYSTEM_PURPOSES)[number];

export class TenantContextError extends Error {}

type DbRole = "tenantry_tenant" | "tenantry_platform";

interface Binding {
  role: DbRole;
  tenantId: string;
  readOnly: boolean;
  /** A statement_timeout for the transaction, e.g. for each batch of an export. */
  statementTimeoutMs?: number;
  /** Another database's pool (the data door's routing); the app's own by default. */
  pool?: pg.Pool;
  /** Ask the database whether the customer lives there (placement.check_here), in the prelude. */
  checkHere?: boolean;
  /** Prepare the caller's statements (see the header); the platform door's are planned per call. */
  prepare: boolean;
  /**
   * No explicit transaction: each statement is its own, bound by the prelude sent with it in
   * the same batch — one round trip for a one-statement write (the API's rate limit).
   */
  oneStatement?: boolean;
}

export interface BindingOptions {
  readOnly?: boolean;
  statementTimeoutMs?: number;
}

export async function withTenant<T>(
  ctx: TenantContext,
  fn: (tx: Tx) => Promise<T>,
  options: BindingOptions = {},
): Promise<T> {
  // Only a well-formed customer ID ever reaches SQL.
  if (!isCustomerId(ctx.tenantId))
    throw new TenantContextError("withTenant needs a valid customer ID");
  return bound(
    {
      role: "tenantry_tenant",
      prepare: true,
      tenantId: ctx.tenantId,
      readOnly: options.readOnly ?? false,
      statementTimeoutMs: options.statementTimeoutMs,
    },
    fn,
  );
}

/**
 * Cross-tenant work for a super-admin. The callback may fill in `access` (target, details);
 * the audit event is written from it after the callback, in the same transaction.
 */
export async function withPlatform<T>(
  ctx: PlatformContext,
  access: PlatformAccess,
  fn: (tx: Tx, access: PlatformAccess) => Promise<T>,
): Promise<T> {
  if (ctx.platformRole !== "super_admin")
    throw new TenantContextError("withPlatform needs a super-admin");
  return bound(
    { role: "tenantry_platform", tenantId: "", readOnly: false, prepare: false },
    async (tx) => {
      const result = await fn(tx, access);
      await insertAuditEvent(tx, {
        actorUserId: ctx.userId,
        actorEmail: ctx.email,
        actorRole: ctx.actorRole ?? "super_admin",
        tenantId: access.tenantId ?? null,
        actingAs: access.actingAs ?? null,
        action: access.action,
        targetType: access.targetType,
        targetId: access.targetId,
        outcome: access.outcome ?? "ok",
        details: access.details ?? {},
        ...access.meta,
      });
      return result;
    },
  );
}

/**
 * A super-admin's long read taken in many short read-only transactions (an export streamed to a
 * slow client must not hold a pooled connection while it waits). The access event is written
 * and committed first, in its own transaction, so a read the client aborts is on the record
 * too; the returned reader runs one batch per call and releases its connection after it.
 */
export async function openPlatformRead(
  ctx: PlatformContext,
  access: PlatformAccess,
  options: { statementTimeoutMs?: number } = {},
): Promise<<T>(fn: (tx: Tx) => Promise<T>) => Promise<T>> {
  await withPlatform(ctx, access, async () => undefined);
  return (fn) =>
    bound(
      {
        role: "tenantry_platform",
        prepare: false,
        tenantId: "",
        readOnly: true,
        statementTimeoutMs: options.statementTimeoutMs,
      },
      fn,
    );
}

export async function withSystem<T>(
  purpose: SystemPurpose,
  fn: (tx: Tx) => Promise<T>,
  options: { readOnly?: boolean; oneStatement?: boolean } = {},
): Promise<T> {
  if (!SYSTEM_PURPOSES.includes(purpose))
    throw new TenantContextError(`unknown system purpose ${purpose}`);
  return bound(
    {
      role: "tenantry_platform",
      prepare: true,
      tenantId: "",
      readOnly: options.readOnly ?? false,
      oneStatement: options.oneStatement,
    },
    fn,
  );
}

/** Closes the app's pool, for command-line scripts that are done with the database. */
export async function closeDatabase(): Promise<void> {
  await stopListening();
  await setAppPool(undefined)?.end();
}

/**
 * The customer's data plane, wherever it lives (docs/architecture.md §13): the data door routes
 * to the pool of the customer's registered database, bound as withTenant binds. The database
 * itself says whether the customer lives there (placement.check_here, sent with the settings,
 * no round trip of its own); a customer that has moved away makes the door forget its cached
 * placement, look it up again and go to the new database, so a move takes effect within the
 * request that first meets it.
 */
export async function withCustomerData<T>(
  ctx: TenantContext,
  fn: (tx: Tx) => Promise<T>,
  options: BindingOptions = {},
): Promise<T> {
  if (!isCustomerId(ctx.tenantId))
    throw new TenantContextError("withCustomerData needs a valid customer ID");
  for (let attempt = 0; ; attempt++) {
    const entry = await cachedPlacement(ctx.tenantId, attempt > 0, loadPlacement);
    try {
      return await bound(
        {
          role: "tenantry_tenant",
          prepare: true,
          tenantId: ctx.tenantId,
          readOnly: options.readOnly ?? false,
          statementTimeoutMs: options.statementTimeoutMs,
          pool: databasePool(entry),
          checkHere: true,
        },
        fn,
      );
    } catch (error) {
      // A move's flip and its placement's update are a moment apart: look again, briefly.
      if (!hasMoved(error) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
  }
}

/** The customer's database, read on the primary under the customer's own binding. */
async function loadPlacement(tenantId: string): Promise<DatabaseEntry> {
  const { rows } = await withTenant(
    { tenantId },
    (tx) =>
      tx.execute<{ name: string; envVar: string }>(
        sql`select d.name, d.env_var as "envVar" from control.customers c
              join control.databases d on d.name = c.database where c.id = ${tenantId}`,
      ),
    { readOnly: true },
  );
  if (!rows.length) throw new TenantContextError(`There is no customer ${tenantId}.`);
  return rows[0];
}

/** Each open door transaction's work for after its commit (afterCommit). */
const afterCommits = new WeakMap<Tx, (() => Promise<void>)[]>();

/**
 * Work that must wait until the door's transaction has committed, e.g. a mail whose link names a
 * row the transaction writes: it runs after the commit, and not at all if the transaction rolls
 * back. Its failure is logged, not the caller's: what it follows is already committed.
 */
export function afterCommit(tx: Tx, work: () => Promise<void>): void {
  const queue = afterCommits.get(tx);
  if (!queue) throw new TenantContextError("afterCommit needs a door's own transaction");
  queue.push(work);
}

async function bound<T>(binding: Binding, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await (binding.pool ?? appPool()).connect();
  const boundClient = new BoundClient(client, binding);
  const tx = drizzle(boundClient as unknown as pg.PoolClient);
  const queue: (() => Promise<void>)[] = [];
  afterCommits.set(tx, queue);
  let broken: Error | undefined;
  let result: T;
  try {
    result = await fn(tx);
    if (boundClient.begun) await client.query("commit");
  } catch (error) {
    if (boundClient.begun) {
      await client.query("rollback").catch((rollbackError: Error) => (broken = rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
  for (const work of queue)
    await work().catch((error: Error) => console.error("after commit:", error));
  return result;
}

type QueryConfig = pg.QueryConfig & { rowMode?: "array"; types?: unknown };
type Statement = { text: string; values: unknown[] };

/**
 * What drizzle sees as its client: it sends the statements that bind the transaction in the
 * same write as the caller's statement (see the header), and passes the rest through.
 */
class BoundClient {
  /** An explicit transaction is open and must be committed or rolled back. */
  begun = false;
  private readonly settings: Statement[];

  constructor(
    private readonly client: pg.PoolClient,
    private readonly binding: Binding,
  ) {
    const readOnly = binding.readOnly ? ", set_config('transaction_read_only', 'on', true)" : "";
    const timeout = binding.statementTimeoutMs ? ", set_config('statement_timeout', $3, true)" : "";
    this.settings = [
      {
        text: `select set_config('app.tenant_id', $1, true), set_config('role', $2, true)${readOnly}${timeout}`,
        values: binding.statementTimeoutMs
          ? [binding.tenantId, binding.role, String(binding.statementTimeoutMs)]
          : [binding.tenantId, binding.role],
      },
      ...(binding.checkHere
        ? [{ text: "select placement.check_here($1)", values: [binding.tenantId] }]
        : []),
    ];
  }

  query(config: string | QueryConfig, values?: unknown[]): Promise<pg.QueryResult> {
    const normalized: QueryConfig = typeof config === "string" ? { text: config } : { ...config };
    if (values) normalized.values = values;
    if (this.binding.prepare) normalized.name ??= sessionName(this.client, normalized.text);
    if (this.begun) return this.client.query(normalized);
    let prelude = this.settings;
    if (!this.binding.readOnly && !this.binding.oneStatement) {
      prelude = [{ text: "begin", values: [] }, ...this.settings];
      this.begun = true;
    }
    return new Promise((resolve, reject) => {
      const query = new PreludedQuery(prelude, normalized, (error, results) => {
        if (error) reject(error);
        // The prelude's results come first; the caller gets its own statement's.
        else resolve(Array.isArray(results) ? results[results.length - 1] : results);
      });
      this.client.query(query as unknown as pg.QueryConfig);
    });
  }
}

const PgQuery = (pg as unknown as { Query: new (config: object) => PgQueryInternals }).Query;

interface PgConnection {
  stream: { cork?: () => void; uncork?: () => void };
  /** pg's record of the named statements this session has prepared, by name. */
  parsedStatements: Record<string, string>;
  parse(message: { text: string; name?: string }): void;
  bind(message: { values: unknown[]; statement?: string }): void;
  describe(message: { type: "P"; name: string }): void;
  execute(message: object): void;
}

/**
 * A statement's name, from its text: Next bundles this module more than once (the
 * instrumentation's workers and the app's routes), and every copy shares the app's pool, so a
 * name must mean the same text in all of them.
 */
const statementNames = new Map<string, string>();
const statementName = (text: string) => {
  let name = statementNames.get(text);
  if (!name) {
    // Bounded: texts that come and go (a bulk insert's values) must not pile up here.
    if (statementNames.size >= 4 * MAX_NAMED_PER_SESSION) statementNames.clear();
    name = `tenantry_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
};

/**
 * A condition (always true) that keeps its statement unnamed, so PostgreSQL plans it for each
 * call's values (see the header).
 */
const PLANNED_PER_CALL_TEXT = "/* planned per call */";
export const PLANNED_PER_CALL = sql.raw(`${PLANNED_PER_CALL_TEXT} true`);

const MAX_NAMED_PER_SESSION = 500;
const MAX_NAMED_TEXT = 8_000;

/** The name a caller's statement runs under on this session, if it may have one (see the header). */
function sessionName(client: pg.PoolClient, text: string): string | undefined {
  // A `*` other than count(*)'s may be a select list's (or a product: it then just goes unnamed).
  if (text.length > MAX_NAMED_TEXT || text.includes(PLANNED_PER_CALL_TEXT) || /\*(?!\))/.test(text))
    return undefined;
  const name = statementName(text);
  // pg's own record of what this session has prepared: counted only for a text it has not.
  const { parsedStatements } = (client as unknown as { connection: PgConnection }).connection;
  if (parsedStatements[name] !== undefined) return name;
  return Object.keys(parsedStatements).length < MAX_NAMED_PER_SESSION ? name : undefined;
}

interface PgQueryInternals {
  submit(connection: PgConnection): Error | null;
}

/** A pg query that sends the prelude's statements ahead of its own, all before one Sync. */
class PreludedQuery extends PgQuery {
  constructor(
    private readonly prelude: Statement[],
    config: QueryConfig,
    callback: (error: Error | null, results: pg.QueryResult | pg.QueryResult[]) => void,
  ) {
    // Extended protocol even without parameters: a simple Query message would end the batch.
    super({ ...config, queryMode: "extended", callback });
  }

  override submit(connection: PgConnection): Error | null {
    connection.stream.cork?.();
    try {
      for (const { text, values } of this.prelude) {
        // The few prelude texts are always named (see the header).
        const name = statementName(text);
        if (connection.parsedStatements[name] === undefined) {
          connection.parse({ text, name });
          connection.parsedStatements[name] = text;
        }
        connection.bind({ values, statement: name });
        connection.describe({ type: "P", name: "" });
        connection.execute({});
      }
      return super.submit(connection);
    } finally {
      connection.stream.uncork?.();
    }
  }
}
