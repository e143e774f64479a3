// The start-up guard (docs/architecture.md §4): the app serves only when its login role is
// subject to RLS and every tenant table has RLS enabled, forced and the one tenant policy.
import "server-only";
import type pg from "pg";
import { appPool } from "./client";
import { databasePool, PRIMARY_DATABASE, type DatabaseEntry } from "./databases";

export interface GuardCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface GuardReport {
  ok: boolean;
  checks: GuardCheck[];
}

type Queryable = Pick<pg.ClientBase, "query">;

// Tables keyed by customer under another column name than tenant_id.
const CUSTOMER_KEYED = [{ schema: "control", table: "customers", column: "id" }];

/** The deparsed form of `col = (select nullif(current_setting('app.tenant_id', true), ''))`. */
function isTenantExpression(expression: string | null, column: string): boolean {
  if (!expression) return false;
  const compact = expression.replace(/\s+/g, "").replace(/"/g, "").toLowerCase();
  return (
    compact ===
    `(${column}=(selectnullif(current_setting('app.tenant_id'::text,true),''::text)asnullif))`
  );
}

export interface PolicyRow {
  name: string;
  command: string;
  permissive: boolean;
  roles: number[];
  using: string | null;
  check: string | null;
}

/** The one tenant policy: for all commands, permissive, to PUBLIC, with the tenant expression both ways. */
export function findTenantPolicy(policies: PolicyRow[], column: string): PolicyRow | undefined {
  // polroles {0} is PUBLIC; polcmd '*' is ALL.
  return policies.find(
    (p) =>
      p.command === "*" &&
      p.permissive &&
      p.roles.length === 1 &&
      p.roles[0] === 0 &&
      isTenantExpression(p.using, column) &&
      isTenantExpression(p.check, column),
  );
}

/** The catalog's policies of a table as PolicyRow JSON; `c` is the table's pg_class row. */
export const POLICIES_JSON = `coalesce((select jsonb_agg(jsonb_build_object(
    'name', p.polname, 'command', p.polcmd, 'permissive', p.polpermissive,
    'roles', p.polroles::int[], 'using', pg_get_expr(p.polqual, p.polrelid),
    'check', pg_get_expr(p.polwithcheck, p.polrelid))) from pg_policy p where p.polrelid = c.oid), '[]')`;

export async function checkIsolation(db: Queryable): Promise<GuardReport> {
  const checks: GuardCheck[] = [];

  const role = await db.query<{
    current_user: string;
    session_user: string;
    rolsuper: boolean;
    rolbypassrls: boolean;
    session_super: boolean;
    session_can_become: string | null;
  }>(
    `select current_user, session_user, r.rolsuper, r.rolbypassrls, s.rolsuper as session_super,
            (select string_agg(x.rolname, ', ' order by x.rolname) from pg_roles x
              where x.rolsuper and pg_has_role(session_user, x.oid, 'MEMBER')) as session_can_become
       from pg_roles r, pg_roles s
      where r.rolname = current_user and s.rolname = session_user`,
  );
  const login = role.rows[0];
  checks.push({
    name: "login role is not superuser",
    ok: !login.rolsuper,
    detail: login.rolsuper
      ? `${login.current_user} is a superuser: RLS would be skipped`
      : login.current_user,
  });
  checks.push({
    name: "login role does not bypass RLS",
    ok: !login.rolbypassrls,
    detail: login.rolbypassrls ? `${login.current_user} has BYPASSRLS` : login.current_user,
  });
  // The session user is who the connection logged in as; RESET ROLE returns to it, and SET ROLE
  // reaches every role it is a member of. Neither may be a superuser.
  checks.push({
    name: "session user is not and cannot become a superuser",
    ok: !login.session_super && !login.session_can_become,
    detail: login.session_super
      ? `${login.session_user} is a superuser`
      : login.session_can_become
        ? `${login.session_user} can SET ROLE to the superuser ${login.session_can_become}`
        : login.session_user,
  });

  const tables = await db.query<{
    schema: string;
    table: string;
    column: string;
    enabled: boolean;
    forced: boolean;
    policies: PolicyRow[];
    /** A partition none of the login's roles may touch: read only through its table's policy. */
    behindTable: string | null;
  }>(
    // Tenant tables: every table with tenant_id, the customer-keyed ones, and every table of a
    // schema whose standing adoption (its latest succeeded adopt or revert) is an adopt, under
    // the column that adoption used.
    `with standing as (
       select distinct on (schema_name) schema_name, kind, coalesce(options->>'column', 'tenant_id') as "column"
         from control.adoption_runs
        where status = 'succeeded' and kind in ('adopt', 'revert')
        order by schema_name, started_at desc
     ),
     keyed as (
       select c.oid, n.nspname as schema, c.relname as "table", a.attname as "column"
         from pg_attribute a
         join pg_class c on c.oid = a.attrelid
         join pg_namespace n on n.oid = c.relnamespace
        where a.attname = 'tenant_id' and not a.attisdropped and c.relkind in ('r', 'p')
          and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_temp%'
       union
       select c.oid, k.schema, k.table, k."column"
         from jsonb_to_recordset($1::jsonb) as k(schema text, "table" text, "column" text)
         join pg_namespace n on n.nspname = k.schema
         join pg_class c on c.relnamespace = n.oid and c.relname = k.table
       union
       select c.oid, n.nspname, c.relname, a.attname
         from standing s
         join pg_namespace n on n.nspname = s.schema_name
         join pg_class c on c.relnamespace = n.oid and c.relkind in ('r', 'p')
         join pg_attribute a on a.attrelid = c.oid and a.attname = s."column" and not a.attisdropped
        where s.kind = 'adopt'
     )
     select k.schema, k."table", k."column", c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
            ${POLICIES_JSON} as policies,
            case when c.relispartition and not exists (
                   select 1 from pg_roles r
                    where pg_has_role(current_user, r.oid, 'MEMBER')
                      and has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))
                 then pg_partition_root(c.oid)::text end as "behindTable"
       from keyed k
       join pg_class c on c.oid = k.oid
      order by 1, 2`,
    [JSON.stringify(CUSTOMER_KEYED)],
  );

  for (const t of tables.rows) {
    const name = `${t.schema}.${t.table}`;
    // A statement on the partitioned table reads its partitions under its own policy (checked
    // as a table of its own); only a statement naming a partition meets the partition's.
    if (t.behindTable) {
      checks.push({
        name: `${name} is tenant-isolated`,
        ok: true,
        detail: `a partition of ${t.behindTable}, which the app's roles reach only through it`,
      });
      continue;
    }
    const policy = findTenantPolicy(t.policies, t.column);
    // Policies are OR'ed (permissive) or AND'ed (restrictive): anything beside the one tenant
    // policy either widens what a customer sees or is a rule the guard cannot vouch for.
    const others = t.policies.filter((p) => p !== policy).map(describePolicy);
    const missing = [
      !t.enabled && "RLS not enabled",
      !t.forced && "RLS not forced",
      !policy && `no tenant policy on ${t.column}`,
      others.length > 0 &&
        `other ${others.length === 1 ? "policy" : "policies"} beside the tenant policy: ${others.join("; ")}`,
    ].filter(Boolean);
    checks.push({
      name: `${name} is tenant-isolated`,
      ok: missing.length === 0,
      detail:
        missing.length === 0
          ? `policy ${policy!.name} on ${t.column}`
          : `${name}: ${missing.join(", ")}`,
    });
  }

  return { ok: checks.every((c) => c.ok), checks };
}

const COMMANDS: Record<string, string> = {
  "*": "all",
  r: "select",
  a: "insert",
  w: "update",
  d: "delete",
};

function describePolicy(p: PolicyRow): string {
  const expression = [p.using && `using ${p.using}`, p.check && `check ${p.check}`]
    .filter(Boolean)
    .join(" ");
  return `${p.name} (${p.permissive ? "permissive" : "restrictive"}, ${COMMANDS[p.command] ?? p.command}${expression ? `, ${expression}` : ""})`;
}

export function describeFailures(report: GuardReport): string {
  return report.checks
    .filter((c) => !c.ok)
    .map((c) => `  - ${c.name}: ${c.detail}`)
    .join("\n");
}

/** The report on one pool: run as the app's login role, on a pooled connection. */
async function poolReport(pool: pg.Pool): Promise<GuardReport> {
  const client = await pool.connect();
  try {
    return await checkIsolation(client);
  } finally {
    client.release();
  }
}

/**
 * The report for the app: its own database's checks, then every other registered database's
 * that is not offline (docs/architecture.md §13), each check named after its database. A
 * database that cannot be reached is a failed check, not an exception.
 */
export async function appIsolationReport(): Promise<GuardReport> {
  const primary = await poolReport(appPool());
  const { rows: others } = await appPool().query<DatabaseEntry & { status: string }>(
    `select name, env_var as "envVar", status from control.databases
      where name <> $1 and status <> 'offline' order by name`,
    [PRIMARY_DATABASE],
  );
  const checks = [...primary.checks];
  for (const entry of others) {
    try {
      const report = await poolReport(databasePool(entry));
      checks.push(
        ...report.checks.map((c) => ({ ...c, name: `database ${entry.name}: ${c.name}` })),
      );
    } catch (error) {
      checks.push({
        name: `database ${entry.name} is reachable`,
        ok: false,
        detail: (error as Error).message,
      });
    }
  }
  return { ok: checks.every((c) => c.ok), checks };
}

let running: Promise<GuardReport> | null = null;

/**
 * appIsolationReport shared by the calls that arrive while one runs: the public health check,
 * which anyone may call as often as they like, then runs the checks (the catalog of every
 * registered database) once at a time however many calls come, and no answer is older than one
 * run of them.
 */
export function sharedIsolationReport(): Promise<GuardReport> {
  running ??= appIsolationReport().finally(() => {
    running = null;
  });
  return running;
}
