// The platform API (issue #17) through its route chain, on a real PostgreSQL: keys (scopes,
// revocation, expiry), two customers (A's key reads A's and gets 404 for anything of B's; RLS
// keeps their keys and events apart), idempotent metered events, the monthly quota, the rate
// limit shared by two app instances, problem documents, and an OpenAPI document that covers
// every route under app/api/v1. Only Next's request plumbing is stood in for (the session, the
// headers); the database is real.
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { withTenant } from "@/db/tenant";
import { freshTestDatabase, insertCustomers, withOwnerDrizzle } from "@/db/test/fixture";
import type { RequestContext } from "@/lib/auth/context";
import { generateCustomerId } from "@/lib/customers/ids";
import type { Scope } from "@/lib/auth/permissions";
import { spawnScript } from "@/db/test/child";

const session = vi.hoisted(() => ({ ctx: null as RequestContext | null }));
vi.mock("@/lib/auth/context", () => ({ getRequestContext: async () => session.ctx }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "203.0.113.9", "user-agent": "api-test" }),
}));

const { createKey, revokeKey } = await import("./keys");
const { flushLeases, LEASE_MS, limiterStatements, listening, takeCall } = await import("./limits");
const { openApiDocument } = await import("./openapi");
const { apiCallsThisMonth, eventsOfMonth } = await import("./queries");
const { effectiveLimits } = await import("@/lib/usage/queries");
const { apiCallsAllowed } = await import("@/lib/usage/quotas");
const customerRoute = await import("@/app/api/v1/customer/route");
const usageRoute = await import("@/app/api/v1/usage/route");
const eventsRoute = await import("@/app/api/v1/usage/events/route");
const movesRoute = await import("@/app/api/v1/moves/route");
const moveRoute = await import("@/app/api/v1/moves/[id]/route");

const db = freshTestDatabase();
const [A, B, C, D] = [
  generateCustomerId(),
  generateCustomerId(),
  generateCustomerId(),
  generateCustomerId(),
];
const ALL: Scope[] = ["usage:read", "usage:write", "customer:read"];
const keys = {} as Record<
  "a" | "b" | "aReadOnly" | "revoked" | "expired" | "c" | "d" | "platform",
  string
>;
let bMove: string;

const keyFor = async (tenant: string | null, scopes: Scope[], expiresInDays?: number) => {
  const made = tenant
    ? await withTenant({ tenantId: tenant }, (tx) =>
        createKey(tx, tenant, { name: "test", scopes, expiresInDays }, "test"),
      )
    : await withOwnerDrizzle(db.owner, (tx) =>
        createKey(tx, null, { name: "ops", scopes }, "test"),
      );
  return made;
};

const call = (
  route: { GET?: unknown; POST?: unknown },
  method: "GET" | "POST",
  url: string,
  key?: string,
  body?: unknown,
  params?: Record<string, string>,
) =>
  (route as Record<string, (r: Request, c?: unknown) => Promise<Response>>)[method](
    new Request(`http://localhost${url}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    }),
    params ? { params: Promise.resolve(params) } : undefined,
  );

/** `count` calls here and `count` in another app instance (a child process), all at once. */
async function twoInstances(
  customer: string,
  count: number,
  callers: { here: string; there: string },
) {
  const child = spawnScript(path.join(import.meta.dirname, "test", "take-calls.ts"), {
    APP_DATABASE_URL: db.database.appUrl,
    CUSTOMER: customer,
    CALLER: callers.there,
    COUNT: String(count),
  });
  child.stderr.pipe(process.stderr);
  let out = "";
  child.stdout.on("data", (c) => (out += c));
  const started = Date.now();
  const here = await Promise.all(
    Array.from({ length: count }, () => takeCall(customer, callers.here)),
  );
  await once(child, "exit");
  return {
    allowed: here.filter((r) => r.ok).length + Number(/allowed (\d+)/.exec(out)?.[1]),
    seconds: (Date.now() - started) / 1000,
  };
}

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B, C, D]);
  keys.a = (await keyFor(A, ALL)).key;
  keys.b = (await keyFor(B, ALL)).key;
  keys.aReadOnly = (await keyFor(A, ["usage:read"])).key;
  const revoked = await keyFor(A, ALL);
  await withTenant({ tenantId: A }, (tx) => revokeKey(tx, A, revoked.id, "test"));
  keys.revoked = revoked.key;
  const expired = await keyFor(A, ALL, 1);
  await db.owner.query(
    "update control.api_keys set expires_at = now() - interval '1 minute' where id = $1",
    [expired.id],
  );
  keys.expired = expired.key;
  keys.c = (await keyFor(C, ALL)).key;
  keys.d = (await keyFor(D, ALL)).key;
  keys.platform = (await keyFor(null, ["platform:read"])).key;
  const { rows } = await db.owner.query<{ id: string }>(
    "insert into control.moves (tenant_id, source, target, mode, started_by, status) values ($1, 'primary', 'primary', 'offline', 'test', 'failed') returning id",
    [B],
  );
  bMove = rows[0].id;
});

describe("API keys", () => {
  it("read their own customer, and only it", async () => {
    const a = await call(customerRoute, "GET", "/api/v1/customer", keys.a);
    expect(a.status).toBe(200);
    expect(await a.json()).toMatchObject({
      id: A,
      plan: "Free",
      limits: { rateLimitPerMinute: 60 },
    });
    const b = await call(customerRoute, "GET", "/api/v1/customer", keys.b);
    expect((await b.json()).id).toBe(B);
    const usage = await call(usageRoute, "GET", "/api/v1/usage", keys.a);
    expect(usage.status).toBe(200);
    expect(await usage.json()).toMatchObject({ customer: A, apiCalls: { limit: 100_000 } });
    // Naming B anywhere gets nothing of B's.
    const named = await call(usageRoute, "GET", `/api/v1/usage?customer=${B}`, keys.a);
    expect(named.status).toBe(400);
    expect(
      (await call(moveRoute, "GET", `/api/v1/moves/${bMove}`, keys.a, undefined, { id: bMove }))
        .status,
    ).toBe(404);
    expect((await call(movesRoute, "GET", `/api/v1/moves?customer=${B}`, keys.a)).status).toBe(404);
  });

  it("are refused when revoked, expired, malformed or absent: 401 problems", async () => {
    for (const [key, detail] of [
      [keys.revoked, "This API key was revoked."],
      [keys.expired, "This API key has expired."],
      ["tnt_nope", "That is not a Tenantry API key: it reads tnt_…_… ."],
      [`${keys.a.slice(0, -4)}AAAA`, "No such API key."],
    ]) {
      const r = await call(customerRoute, "GET", "/api/v1/customer", key);
      expect(r.status).toBe(401);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
      expect(await r.json()).toEqual({
        type: "/api-docs#problem-unauthorized",
        title: "Not authenticated",
        status: 401,
        detail,
      });
    }
    expect((await call(customerRoute, "GET", "/api/v1/customer")).status).toBe(401);
  });

  it("fail at the next request once revoked, expired, or their customer suspended, though just used", async () => {
    const fresh = await keyFor(A, ALL);
    expect((await call(customerRoute, "GET", "/api/v1/customer", fresh.key)).status).toBe(200);
    await withTenant({ tenantId: A }, (tx) => revokeKey(tx, A, fresh.id, "test"));
    const revoked = await call(customerRoute, "GET", "/api/v1/customer", fresh.key);
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).detail).toBe("This API key was revoked.");

    const expiring = await keyFor(A, ALL, 30);
    expect((await call(customerRoute, "GET", "/api/v1/customer", expiring.key)).status).toBe(200);
    await db.owner.query("update control.api_keys set expires_at = now() where id = $1", [
      expiring.id,
    ]);
    expect(
      (await (await call(customerRoute, "GET", "/api/v1/customer", expiring.key)).json()).detail,
    ).toBe("This API key has expired.");

    const [E] = await insertCustomers(db.owner, [generateCustomerId()]);
    const ofE = await keyFor(E, ALL);
    expect((await call(customerRoute, "GET", "/api/v1/customer", ofE.key)).status).toBe(200);
    await db.owner.query("update control.customers set status = 'suspended' where id = $1", [E]);
    expect(
      (await (await call(customerRoute, "GET", "/api/v1/customer", ofE.key)).json()).detail,
    ).toBe("This API key's customer may not use the API now.");
    const { rows } = await db.owner.query(
      "select last_used_at from control.api_keys where id = $1",
      [ofE.id],
    );
    expect(rows[0].last_used_at).not.toBeNull();
  });

  it("need the scope: a key without usage:write gets 403 on events, and the refusal is audited", async () => {
    const r = await call(eventsRoute, "POST", "/api/v1/usage/events", keys.aReadOnly, {
      events: [{ id: "e1", kind: "sms" }],
    });
    expect(r.status).toBe(403);
    expect((await r.json()).detail).toBe("This API key lacks the usage:write scope.");
    const { rows } = await db.owner.query(
      "select actor_role, outcome, tenant_id from control.audit_events where action = 'api.usage.events' and outcome = 'denied'",
    );
    expect(rows).toEqual([{ actor_role: "api_key", outcome: "denied", tenant_id: A }]);
  });

  it("keep platform tokens to the status API, and customer keys out of it", async () => {
    const r = await call(movesRoute, "GET", `/api/v1/moves?customer=${B}`, keys.platform);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ moves: [{ id: bMove }], next: null });
    expect((await call(usageRoute, "GET", "/api/v1/usage", keys.platform)).status).toBe(404);
  });

  it("page the moves by cursor, each once, and refuse a cursor that is not one", async () => {
    await db.owner.query(
      `insert into control.moves (tenant_id, source, target, mode, started_by, status, started_at)
       select $1, 'primary', 'primary', 'offline', 'test', 'failed', now() - g * interval '1 second'
         from generate_series(1, 4) g`,
      [B],
    );
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const r = await call(
        movesRoute,
        "GET",
        `/api/v1/moves?customer=${B}&limit=2${next ? `&cursor=${next}` : ""}`,
        keys.platform,
      );
      expect(r.status).toBe(200);
      const body = (await r.json()) as { moves: { id: string }[]; next: string | null };
      seen.push(...body.moves.map((m) => m.id));
      next = body.next;
    } while (next);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen).toContain(bMove);
    const bad = await call(movesRoute, "GET", "/api/v1/moves?cursor=not-a-cursor", keys.platform);
    expect(bad.status).toBe(400);
  });
});

describe("metered events", () => {
  it("count a batch once, however often it is sent, and only for the key's customer", async () => {
    const batch = {
      events: [
        { id: "m-1", kind: "sms", quantity: 3 },
        { id: "m-2", kind: "sms", quantity: 4, occurredAt: new Date().toISOString() },
        { id: "m-3", kind: "email" },
      ],
    };
    const first = await call(eventsRoute, "POST", "/api/v1/usage/events", keys.a, batch);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0 });
    const again = await call(eventsRoute, "POST", "/api/v1/usage/events", keys.a, batch);
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 3 });
    // The same IDs from B are B's own events.
    expect(
      await (await call(eventsRoute, "POST", "/api/v1/usage/events", keys.b, batch)).json(),
    ).toEqual({
      accepted: 3,
      duplicates: 0,
    });
    const usage = await (await call(usageRoute, "GET", "/api/v1/usage", keys.a)).json();
    expect(usage.events).toEqual([
      { kind: "email", quantity: 1, events: 1 },
      { kind: "sms", quantity: 7, events: 2 },
    ]);
    const { rows: audited } = await db.owner.query(
      "select details from control.audit_events where action = 'api.usage.events' and outcome = 'ok' and tenant_id = $1 order by id",
      [A],
    );
    expect(audited.map((e) => e.details)).toEqual([
      expect.objectContaining({ accepted: 3, duplicates: 0 }),
      expect.objectContaining({ accepted: 0, duplicates: 3 }),
    ]);
  });

  it("are totalled per month and kind as they are written and deleted, exactly as counted", async () => {
    const E = (await insertCustomers(db.owner, [generateCustomerId()]))[0];
    const key = (await keyFor(E, ALL)).key;
    const lastMonth = new Date();
    lastMonth.setUTCDate(0);
    const post = async (events: unknown[]) =>
      (await call(eventsRoute, "POST", "/api/v1/usage/events", key, { events })).json();
    expect(
      await post([
        { id: "t-1", kind: "sms", quantity: 3 },
        { id: "t-2", kind: "sms", quantity: 4 },
        { id: "t-3", kind: "seat", quantity: 2, occurredAt: lastMonth.toISOString() },
        { id: "t-1", kind: "sms", quantity: 3 },
      ]),
    ).toMatchObject({ accepted: 3 });
    // Sent again, with one new: only the new one counts.
    expect(
      await post([
        { id: "t-2", kind: "sms", quantity: 4 },
        { id: "t-4", kind: "email" },
      ]),
    ).toEqual({ accepted: 1, duplicates: 1 });
    // Deleted (the owner's work, as an erase does): taken away again.
    await asOwnerOf(E, "delete from control.usage_events where event_id = 't-1'");
    const totals = () =>
      db.owner
        .query(
          "select month, kind, events::int, quantity::int from control.usage_event_totals where tenant_id = $1 and events > 0 order by 1, 2",
          [E],
        )
        .then((r) => r.rows);
    const exact = () =>
      db.owner
        .query(
          `select to_char(occurred_at at time zone 'UTC', 'YYYY-MM') as month, kind, count(*)::int as events,
                  sum(quantity)::int as quantity
             from control.usage_events where tenant_id = $1 group by 1, 2 order by 1, 2`,
          [E],
        )
        .then((r) => r.rows);
    expect(await totals()).toEqual(await exact());
    const month = new Date().toISOString().slice(0, 7);
    expect(await totals()).toEqual([
      { month: lastMonth.toISOString().slice(0, 7), kind: "seat", events: 1, quantity: 2 },
      { month, kind: "email", events: 1, quantity: 1 },
      { month, kind: "sms", events: 1, quantity: 4 },
    ]);
    // What the API and the usage page read: this month's only.
    const usage = await (await call(usageRoute, "GET", "/api/v1/usage", key)).json();
    expect(usage.events).toEqual([
      { kind: "email", quantity: 1, events: 1 },
      { kind: "sms", quantity: 4, events: 1 },
    ]);
    // Another customer's door reads none of E's totals, and cannot write them.
    const fromA = await withTenant({ tenantId: A }, async (tx) => ({
      read: await eventsOfMonth(tx, E, month),
      updated: (
        await tx.execute(
          sql`update control.usage_event_totals set events = events + 1 where tenant_id = ${E}`,
        )
      ).rowCount,
    }));
    expect(fromA).toEqual({ read: [], updated: 0 });
    await expect(
      withTenant({ tenantId: A }, (tx) =>
        tx.execute(
          sql`insert into control.usage_event_totals (tenant_id, month, kind, events, quantity) values (${E}, ${month}, 'x', 1, 1)`,
        ),
      ),
    ).rejects.toThrow();
    expect(await totals()).toEqual(await exact());
  });

  it("are the customer's under RLS: A neither reads nor writes B's", async () => {
    const seen = await withTenant({ tenantId: A }, (tx) =>
      tx.execute<{ n: number }>(
        sql`select count(*)::int as n from control.usage_events where tenant_id = ${B}`,
      ),
    );
    expect(seen.rows[0].n).toBe(0);
    await expect(
      withTenant({ tenantId: A }, (tx) =>
        tx.execute(
          sql`insert into control.usage_events (tenant_id, event_id, kind, quantity, occurred_at) values (${B}, 'x', 'sms', 1, now())`,
        ),
      ),
    ).rejects.toThrow();
    const keysSeen = await withTenant({ tenantId: A }, (tx) =>
      tx.execute<{ n: number }>(
        sql`select count(*)::int as n from control.api_keys where tenant_id <> ${A} or tenant_id is null`,
      ),
    );
    expect(keysSeen.rows[0].n).toBe(0);
  });

  it("refuse a bad batch with a problem naming each field", async () => {
    const r = await call(eventsRoute, "POST", "/api/v1/usage/events", keys.a, {
      events: [{ id: "", kind: "Bad Kind", quantity: -1 }],
    });
    expect(r.status).toBe(400);
    const body = await r.json();
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: "events.0.id", message: "An event's id is not empty." },
        { path: "events.0.quantity", message: "An event's quantity is not negative." },
      ]),
    );
    const tooMany = await call(eventsRoute, "POST", "/api/v1/usage/events", keys.a, {
      events: Array.from({ length: 1001 }, (_, i) => ({ id: `x${i}`, kind: "sms" })),
    });
    expect((await tooMany.json()).detail).toBe("At most 1 000 events a batch.");
    const notJson = await call(eventsRoute, "POST", "/api/v1/usage/events", keys.a, "{not json");
    expect(notJson.status).toBe(400);
    expect(JSON.stringify(await notJson.json())).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe("limits", () => {
  it("refuse calls over the month's limit with the quota problem", async () => {
    await db.owner.query(
      `update control.customers set quota_overrides = '{"maxApiCallsMonth": 5}' where id = $1`,
      [C],
    );
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await call(customerRoute, "GET", "/api/v1/customer", keys.c)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    // What the usage page says: every call that went through counted, and as many allowed.
    await flushLeases({ all: true });
    const shown = await withTenant({ tenantId: C }, async (tx) => ({
      calls: (await apiCallsThisMonth(tx, C)).calls,
      allowed: apiCallsAllowed((await effectiveLimits(tx, C))!),
    }));
    expect(shown).toEqual({ calls: 5, allowed: 5 });
    const r = await call(customerRoute, "GET", "/api/v1/customer", keys.c);
    expect(r.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await r.json()).toMatchObject({
      type: "/api-docs#problem-quota-exceeded",
      status: 429,
      detail: expect.stringContaining("This month's 5 API calls"),
    });
  });

  it("let the plan's margin through past the limit, as the usage page says, and show no one another's calls", async () => {
    // Team: a 10 % margin, so a limit of 5 lets ceil(5.5) = 6 calls through.
    const [E] = await insertCustomers(db.owner, [generateCustomerId()]);
    await db.owner.query(
      `update control.customers set plan = 'team', quota_overrides = '{"maxApiCallsMonth": 5}' where id = $1`,
      [E],
    );
    const key = (await keyFor(E, ALL)).key;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await call(customerRoute, "GET", "/api/v1/customer", key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    await flushLeases({ all: true });
    const seen = await withTenant({ tenantId: E }, async (tx) => ({
      own: await apiCallsThisMonth(tx, E),
      allowed: apiCallsAllowed((await effectiveLimits(tx, E))!),
      // C's calls (5, above), asked for in E's door: RLS shows none of them.
      other: (await apiCallsThisMonth(tx, C)).calls,
    }));
    expect(seen.own.calls).toBe(6);
    expect(seen.allowed).toBe(6);
    expect(seen.other).toBe(0);
    const { rows } = await db.owner.query(
      "select calls from control.api_calls where tenant_id = $1 and month = $2",
      [C, seen.own.month],
    );
    expect(rows).toEqual([{ calls: "5" }]);
  });

  it("let at most the plan's rate through, shared by two app instances, with the headers", async () => {
    // 60 a minute (Free): 100 calls here and 100 in another process, all at once.
    const { allowed, seconds } = await twoInstances(D, 100, {
      here: "key:here",
      there: "key:other",
    });
    // The bucket holds 60 and refills one a second while the calls run.
    expect(allowed).toBeGreaterThanOrEqual(60);
    expect(allowed).toBeLessThanOrEqual(60 + Math.ceil(seconds));
    // The bucket refills a token a second: a few calls right after drain what came back.
    let r = await call(customerRoute, "GET", "/api/v1/customer", keys.d);
    for (let i = 0; i < 10 && r.status !== 429; i++)
      r = await call(customerRoute, "GET", "/api/v1/customer", keys.d);
    expect(r.status).toBe(429);
    expect(r.headers.get("ratelimit-limit")).toBe("60");
    expect(r.headers.get("ratelimit-remaining")).toBe("0");
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await r.json()).type).toBe("/api-docs#problem-rate-limited");
    const ok = await call(customerRoute, "GET", "/api/v1/customer", keys.a);
    expect(ok.headers.get("ratelimit-limit")).toBe("60");
    expect(Number(ok.headers.get("ratelimit-remaining"))).toBeLessThan(60);
  }, 60_000);
});

describe("leases", () => {
  /** A customer on a plan of `perMinute` calls a minute (a plan of the test's own). */
  const onPlan = async (perMinute: number) => {
    const plan = `test-${perMinute}`;
    await db.owner.query(
      `insert into control.plans (name, display_name, position, max_users, max_rows, max_storage_bytes,
                                  max_api_calls_month, rate_limit_per_minute)
       values ($1, $1, 90, 10, 1000000, 1000000000, 1000000000, $2) on conflict (name) do nothing`,
      [plan, perMinute],
    );
    const [id] = await insertCustomers(db.owner, [generateCustomerId()]);
    await db.owner.query("update control.customers set plan = $1 where id = $2", [plan, id]);
    return id;
  };
  const callsThisMonth = async (tenant: string) =>
    Number(
      (
        await db.owner.query(
          "select coalesce(sum(calls), 0) as n from control.api_calls where tenant_id = $1",
          [tenant],
        )
      ).rows[0].n,
    );

  it("serve many calls a statement at a high rate, and count every call", async () => {
    const E = await onPlan(60_000);
    // Leases hold more than one token only once this instance hears the database's notices.
    await takeCall(E, "key:warm");
    await vi.waitFor(() => expect(listening()).toBe(true));
    await flushLeases({ all: true });
    const counted = await callsThisMonth(E);
    const before = limiterStatements();
    const results = await Promise.all(Array.from({ length: 2_000 }, () => takeCall(E, "key:e")));
    expect(results.every((r) => r.ok)).toBe(true);
    const statements = limiterStatements() - before;
    expect(statements).toBeLessThan(200);
    await flushLeases({ all: true });
    expect((await callsThisMonth(E)) - counted).toBe(2_000);
  });

  it("let two instances together through no more than the bucket holds", async () => {
    // 1 200 a minute, 20 a second: a lease holds up to 4. 1 000 calls here, 1 000 there (each
    // caller's bucket is its own: the names are not the earlier test's).
    const F = await onPlan(1_200);
    const { allowed, seconds } = await twoInstances(F, 1_000, {
      here: "key:here-leased",
      there: "key:there-leased",
    });
    expect(allowed).toBeLessThanOrEqual(1_200 + Math.ceil(20 * seconds));
    // What leases leave unused is lost, never lent: at most a lease's worth per instance.
    expect(allowed).toBeGreaterThanOrEqual(1_200 - 2 * 4);
    await flushLeases({ all: true });
    expect(await callsThisMonth(F)).toBe(allowed);
  }, 60_000);

  it("end on every instance when a key is revoked elsewhere, as the change commits", async () => {
    const H = await onPlan(60_000);
    const key = await keyFor(H, ALL);
    expect((await call(customerRoute, "GET", "/api/v1/customer", key.key)).status).toBe(200);
    await vi.waitFor(() => expect(listening()).toBe(true));
    // 130 calls: the leases grow 1, 2, 4 … 128, and the last holds 125 more.
    for (let i = 0; i < 130; i++)
      expect((await call(customerRoute, "GET", "/api/v1/customer", key.key)).status).toBe(200);
    // Revoked by another instance: in the database, not through this one's revokeKey.
    await db.owner.query("update control.api_keys set revoked_at = now() where id = $1", [key.id]);
    // Refused well before the lease would run out of time (LEASE_MS) or of calls.
    await vi.waitFor(
      async () =>
        expect((await call(customerRoute, "GET", "/api/v1/customer", key.key)).status).toBe(401),
      { timeout: LEASE_MS / 2, interval: 5 },
    );
  });

  it("end with the key's revocation: its next call is refused though the lease had calls left", async () => {
    const G = await onPlan(60_000);
    const key = await keyFor(G, ALL);
    for (let i = 0; i < 9; i++)
      expect((await call(customerRoute, "GET", "/api/v1/customer", key.key)).status).toBe(200);
    // The leases grew 1, 2, 4, 8: the tenth call comes from the lease, without a statement.
    const before = limiterStatements();
    expect((await call(customerRoute, "GET", "/api/v1/customer", key.key)).status).toBe(200);
    expect(limiterStatements()).toBe(before);
    await withTenant({ tenantId: G }, (tx) => revokeKey(tx, G, key.id, "test"));
    const refused = await call(customerRoute, "GET", "/api/v1/customer", key.key);
    expect(refused.status).toBe(401);
    expect((await refused.json()).detail).toBe("This API key was revoked.");
  });
});

describe("the OpenAPI document", () => {
  it("describes every route under app/api/v1 but itself", () => {
    const doc = openApiDocument();
    const routes = execFileSync(
      "git",
      ["ls-files", "--cached", "--others", "--exclude-standard", "app/api/v1"],
      {
        encoding: "utf8",
      },
    )
      .split("\n")
      .filter((f) => f.endsWith("/route.ts") && !f.includes("openapi.json"))
      .map((f) => `/${f.slice("app/".length, -"/route.ts".length)}`.replace(/\[(\w+)\]/g, "{$1}"));
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual(routes.sort());
    expect(JSON.stringify(doc.components?.schemas?.UsageEvents)).toContain("maxItems");
  });
});

/** A statement as the owner in `tenantId`'s context (the events are under forced RLS). */
async function asOwnerOf(tenantId: string, text: string) {
  const client = await db.owner.connect();
  try {
    await client.query("begin");
    await client.query("select set_config('app.tenant_id', $1, true)", [tenantId]);
    await client.query(text);
    await client.query("commit");
  } finally {
    client.release();
  }
}
