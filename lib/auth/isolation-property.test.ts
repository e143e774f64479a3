// Property-based isolation (issue #20): fast-check generates two customers side by side (their
// plans, and a trial running or ended, which makes a customer read-only) and sequences of steps
// by their users — members, admins, super-admins switched in to read and to write — through
// every chained server action and route handler (found in the code: downloads, the export, the
// API) with plausible input naming either customer's IDs, and through the tenant-bound door's
// reads and writes of every customer-scoped table. After every step: nothing under one
// customer's context read or changed another's rows (no answer carries another's IDs); a role
// without the permission changed nothing; every change came with its audit event; the chain it
// could write to verifies; and after every run every chain verifies. PROPERTY_RUNS (default 1 000) bounds the runs,
// PROPERTY_SECONDS (default 90) the time; PROPERTY_SEED replays a run printed on failure.
import { gunzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { withTenant } from "@/db/tenant";
import { freshTestDatabase } from "@/db/test/fixture";
import type { RequestContext } from "./context";
import {
  callRoute,
  customerState,
  QUERY_KEYS,
  RECORD_TABLES,
  routeHandlers,
  changed,
  fingerprints,
  formFor,
  populate,
  restore,
  serverActions,
  showForm,
  userOf,
  type ActionEntry,
  type RouteEntry,
  type Actor,
  type Fingerprints,
  type Population,
} from "./test/entry-points";

const request = vi.hoisted(() => ({ ctx: null as RequestContext | null }));
vi.mock("./context", () => ({ getRequestContext: async () => request.ctx }));
vi.mock("next/headers", async () => (await import("./test/next-plumbing")).nextHeaders("property"));
vi.mock("next/cache", async () => (await import("./test/next-plumbing")).nextCache);
vi.mock("next/navigation", async () => (await import("./test/next-plumbing")).nextNavigation);
vi.mock("next/server", async (original) =>
  (await import("./test/next-plumbing")).nextServer(await original()),
);

process.env.TOTP_ENCRYPTION_KEY = "a test key of at least thirty-two characters";

const { resolveContext } = await import("./resolve-context");
const { can } = await import("./permissions");
const { verifyAuditChain, describeChain } = await import("../audit/chain");

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1_000);
const SECONDS = Number(process.env.PROPERTY_SECONDS ?? 90);
const SEED = Number(process.env.PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

const db = freshTestDatabase();
let p: Population;
let scoped: string[];
const tally = { runs: 0, steps: 0, ok: 0, refused: 0, door: 0, routes: 0, skipped: 0 };
/** The rows as the last step left them: the next step's "before". */
let last: Fingerprints | undefined;
const rows = async () => (last ??= await fingerprints(db.owner, [p.A, p.B, p.C]));
const rowsAfter = async () => (last = await fingerprints(db.owner, [p.A, p.B, p.C]));
/**
 * Every value a customer's users have sent, in forms and query strings: their own audit trail
 * may show it back to them (an attempt on another customer's ID is recorded with that ID).
 */
const named = new Map<string, Set<string>>();
const name = (customer: string, values: unknown[]) => {
  const set = named.get(customer) ?? new Set<string>();
  for (const v of values) if (typeof v === "string") set.add(v.toLowerCase());
  named.set(customer, set);
};
/** The actions that went through at least once. */
const done = new Set<string>();

beforeAll(async () => {
  p = await populate(db.owner);
  // The owner's connection, as the console has it: exports read through it.
  process.env.DATABASE_URL = db.database.ownerUrl;
  const { rows } = await db.owner.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and c.relrowsecurity
        and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id')
      order by 1`,
  );
  scoped = rows.map((r) => r.name);
});
afterAll(() => {
  console.log(
    `isolation property (seed ${SEED}): ${JSON.stringify(tally)}; went through: ${[...done].sort().join(", ")}`,
  );
});

type Customer = "A" | "B";
const TENANT_ACTORS: [Actor, Customer][] = [
  ["member", "A"],
  ["admin", "A"],
  ["member", "B"],
  ["admin", "B"],
  ["switched read", "A"],
  ["switched write", "A"],
];
const DOOR_OPS = ["read", "update", "delete", "insert"] as const;

describe("isolation under generated steps", async () => {
  const actions = (await serverActions()).filter((a) => a.spec);
  // next-auth's handler needs a running server's request scope (fuzzed over HTTP in e2e).
  const routes = (await routeHandlers()).filter((r) => !r.pattern.startsWith("/api/auth/"));
  const customers = actions.flatMap((a, i) => (can("admin", a.spec!.permission) ? [i] : []));

  const step = (): fc.Arbitrary<Step> =>
    fc.oneof(
      fc.record({
        kind: fc.constant("action" as const),
        actor: fc.constantFrom(...TENANT_ACTORS),
        // Half the time one a customer's admin may take, so that most steps get past the chain.
        action: fc.oneof(fc.nat(actions.length - 1), fc.constantFrom(...customers)),
        seed: fc.nat(),
      }),
      fc.record({
        kind: fc.constant("route" as const),
        actor: fc.constantFrom(...TENANT_ACTORS),
        route: fc.nat(),
        params: fc.array(fc.nat(), { minLength: 2, maxLength: 2 }),
        query: fc.dictionary(fc.constantFrom(...QUERY_KEYS), fc.nat(), { maxKeys: 3 }),
      }),
      fc.record({
        kind: fc.constant("door" as const),
        customer: fc.constantFrom<Customer>("A", "B"),
        op: fc.constantFrom(...DOOR_OPS),
        table: fc.nat(),
      }),
    );

  it(`keeps every customer's rows to itself over ${RUNS} generated runs (or ${SECONDS} s)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ A: customerState, B: customerState }),
        fc.array(step(), { minLength: 1, maxLength: 5 }),
        async (states, steps) => {
          tally.runs++;
          await restore(db.owner, p, states);
          last = undefined;
          for (const s of steps) {
            tally.steps++;
            if (s.kind === "door") await doorProperty(s);
            else if (s.kind === "route") await routeProperty(s, routes);
            else await actionProperty(s, actions);
          }
          const chain = await verifyAuditChain();
          expect(chain.ok, describeChain(chain)).toBe(true);
        },
      ),
      { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: SECONDS * 1_000 },
    );
    expect(tally.runs).toBeGreaterThan(0);
  }, 600_000);
});

type Step =
  | { kind: "door"; customer: Customer; op: (typeof DOOR_OPS)[number]; table: number }
  | {
      kind: "route";
      actor: [Actor, Customer];
      route: number;
      params: number[];
      query: Record<string, number>;
    }
  | { kind: "action"; actor: [Actor, Customer]; action: number; seed: number };

const withoutRecords = (f: Record<string, string>) =>
  Object.fromEntries(Object.entries(f).filter(([t]) => !RECORD_TABLES.includes(t)));
const okEvents = async (tenant: string, action: string) =>
  Number(
    (
      await db.owner.query(
        "select count(*) from control.audit_events where tenant_id = $1 and action = $2 and outcome = 'ok'",
        [tenant, action],
      )
    ).rows[0].count,
  );

/** The chain a step could have written to verifies after it (every chain, after every run). */
async function chainVerifies(customer: string, what: string) {
  const report = await verifyAuditChain({ chain: customer });
  expect(report.ok, `after ${what}: ${describeChain(report)}`).toBe(true);
}

/** The door aimed at the other customer's rows reaches none of them, and changes nothing. */
async function doorProperty(s: Extract<Step, { kind: "door" }>) {
  tally.door++;
  const own = s.customer === "A" ? p.A : p.B;
  const other = own === p.A ? p.B : p.A;
  const table = scoped[s.table % scoped.length];
  const what = `the door as ${s.customer}: ${s.op} ${table}`;
  const before = await rows();
  expect(await doorStep(own, other, table, s.op), `${what} reached ${other}'s rows`).toBe(0);
  const after = await rowsAfter();
  for (const tenant of [p.A, p.B, p.C])
    expect(changed(before[tenant], after[tenant]), `${what} changed ${tenant}`).toEqual([]);
}

/**
 * An action by a customer's user changes no other customer; without the permission it is refused
 * and changes nothing; a change comes with its ok event.
 */
async function actionProperty(s: Extract<Step, { kind: "action" }>, actions: ActionEntry[]) {
  const [actor, customer] = s.actor;
  const entry = actions[s.action];
  const ctx = await resolveContext(userOf(p, actor, customer)!);
  // A switch an earlier step ended leaves a super-admin outside any customer: no longer a
  // tenant-bound actor.
  if (!ctx?.customer) {
    tally.skipped++;
    return;
  }
  const own = ctx.customer.id;
  const ids = [...p.ids[p.A], ...p.ids[p.B], crypto.randomUUID()];
  const [form] = fc.sample(formFor(entry, ids, "valid"), { seed: s.seed, numRuns: 1 });
  const what = `${entry.id} as ${actor} of ${customer} (${ctx.role}) with ${showForm(form)}`;
  name(own, [...form.values()]);
  const before = await rows();
  const eventsBefore = await okEvents(own, entry.spec!.name);
  request.ctx = ctx;
  const answer = await entry.call(null, form).catch((error: Error) => {
    if ((error as { redirectedTo?: string }).redirectedTo) return null;
    throw new Error(`${what} threw ${error.message}`);
  });
  const after = await rowsAfter();
  if (answer?.ok) tally.ok++;
  else tally.refused++;
  if (answer?.ok) done.add(entry.id);
  const ownChanges = changed(withoutRecords(before[own]), withoutRecords(after[own]));
  if (!can(ctx.role, entry.spec!.permission)) {
    expect(answer?.ok, `${what}: allowed without the permission`).not.toBe(true);
    expect(ownChanges, `${what}: changed rows without the permission`).toEqual([]);
  }
  if (ownChanges.length > 0)
    expect(
      await okEvents(own, entry.spec!.name),
      `${what} changed ${ownChanges.join(", ")} without its audit event`,
    ).toBeGreaterThan(eventsBefore);
  for (const other of [p.A, p.B, p.C].filter((t) => t !== own))
    expect(changed(before[other], after[other]), `${what} changed ${other}`).toEqual([]);
  await chainVerifies(own, what);
}

/**
 * A route handler (a download, the API, the export) asked by a customer's user, naming either
 * customer's IDs: its answer carries no other customer's ID but those its customer's users have
 * sent themselves (their trail records their attempts), and changes no other customer.
 */
async function routeProperty(s: Extract<Step, { kind: "route" }>, routes: RouteEntry[]) {
  tally.routes++;
  const [actor, customer] = s.actor;
  const entry = routes[s.route % routes.length];
  const ctx = await resolveContext(userOf(p, actor, customer)!);
  if (!ctx?.customer) {
    tally.skipped++;
    return;
  }
  const own = ctx.customer.id;
  const ids = [...p.ids[p.A], ...p.ids[p.B]];
  const params = entry.params.map((_, i) => ids[s.params[i] % ids.length]);
  const query = Object.fromEntries(
    Object.entries(s.query).map(([k, n]) => [k, ids[n % ids.length]]),
  );
  const what = `${entry.id} as ${actor} of ${customer} with ${JSON.stringify({ params, query })}`;
  const before = await rows();
  request.ctx = ctx;
  const response = await callRoute(entry, { params, query, body: "{}" });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = (
    response.headers.get("content-type")?.includes("gzip") ? gunzipSync(bytes) : bytes
  ).toString("latin1");
  name(own, [...params, ...Object.values(query)]);
  const asked = named.get(own)!;
  const shown = [p.A, p.B, p.C]
    .filter((t) => t !== own)
    .flatMap((t) => [t, ...p.ids[t]])
    .filter((id) => !asked.has(id.toLowerCase()))
    .filter((id) => text.toLowerCase().includes(id.toLowerCase()));
  expect(shown, `${what} answered with another customer's IDs`).toEqual([]);
  const after = await rowsAfter();
  for (const other of [p.A, p.B, p.C].filter((t) => t !== own))
    expect(changed(before[other], after[other]), `${what} changed ${other}`).toEqual([]);
  await chainVerifies(own, what);
}

/**
 * One statement through the tenant-bound door as `own`, aimed at `other`'s rows: how many of
 * them it saw or touched (zero, or a refusal, which reaches none).
 */
async function doorStep(
  own: string,
  other: string,
  table: string,
  op: (typeof DOOR_OPS)[number],
): Promise<number> {
  const statement = {
    // Any row not its own: the other customer's, and rows of no customer (a super-admin's).
    read: sql.raw(
      `select count(*)::int as n from ${table} where tenant_id::text is distinct from '${own}'`,
    ),
    update: sql.raw(
      `with x as (update ${table} set tenant_id = tenant_id where tenant_id::text = '${other}' returning 1) select count(*)::int as n from x`,
    ),
    delete: sql.raw(
      `with x as (delete from ${table} where tenant_id::text = '${other}' returning 1) select count(*)::int as n from x`,
    ),
    // One of its own rows, copied under the other customer's ID.
    insert: sql.raw(
      `with x as (insert into ${table} select (jsonb_populate_record(null::${table}, to_jsonb(t) || jsonb_build_object('tenant_id', '${other}'))).* from ${table} t limit 1 returning 1) select count(*)::int as n from x`,
    ),
  }[op];
  try {
    return await withTenant({ tenantId: own }, async (tx) => {
      const { rows } = await tx.execute<{ n: number }>(statement);
      return rows[0].n;
    });
  } catch {
    return 0; // refused (no grant, a policy's check, a constraint): nothing reached
  }
}
