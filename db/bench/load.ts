// npm run bench:load — the console under load (issue #20). The console's own HTTP server
// (lib/http/serve.ts, on the last `next build`; built first when there is none or it is stale)
// on a real PostgreSQL with a seeded platform: 100 customers with an admin and a member each, a
// super-admin, and BENCH_ROWS (1 000 000) data-plane rows (the sample, adopted: one customer's).
// autocannon (the well-kept Node load generator) sends mixed traffic from every role (signed
// out, member, admin, super-admin, a super-admin switched into a customer, API keys) for
// BENCH_SECONDS (60) at each of BENCH_LEVELS (200,1000) concurrent connections: the pages of a
// super-admin, a customer's admin and member, a server action, the export, and the API with keys.
// Reported per level: requests/s, p50/p95/p99, errors, responses to a customer's user carrying
// another customer's marker (its name; target 0), requests left hanging (not answered within
// BENCH_TIMEOUT, 60 s, or still running in the database after the run), the slowest paths.
// Then, in the same run, a typical page's throughput against /api/health's, alone, at 50
// connections.
import { readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
// @ts-expect-error -- Next's compiled React client has no types of its own.
import { encodeReply } from "next/dist/compiled/react-server-dom-webpack/client.node.js";
import { withTenant } from "../tenant";
import { ensureBuild, ROOT, sessionCookie, startConsole } from "./console";
import { withBenchDatabase } from "./database";
import { generateSample } from "../sample/generate";
import { runAdoption } from "../../lib/adoption/run";
import { createKey } from "../../lib/api/keys";
import { generateCustomerId, LEGACY_CUSTOMER_ID } from "../../lib/customers/ids";
import { newTotpSecret, sealSecret } from "../../lib/auth/totp";
import { takeSnapshot } from "../../lib/usage/snapshot";
import { ratio, summarize } from "./stats";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const LEVELS = (process.env.BENCH_LEVELS ?? "200,1000").split(",").map(Number);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const CUSTOMERS = 100;
/** The customers whose users send traffic (every customer exists; these sign in). */
const ACTIVE = 20;
const PORT = Number(process.env.BENCH_PORT ?? 3290);
const TIMEOUT = Number(process.env.BENCH_TIMEOUT ?? 60);

ensureBuild();

/** A customer's name carries its ID: the marker a foreign response would show. */
const MARKER = /Load customer ([A-Z0-9]{9})\b/g;

interface Actor {
  label: string;
  /**
   * The customer whose pages this actor sees (a switched super-admin's, the one switched into);
   * null for the super-admin, who may see every customer, and for the signed-out.
   */
  customer: string | null;
  headers: Record<string, string>;
}

await withBenchDatabase("load", { owner: 2, app: 10 }, async ({ database, owner }) => {
  const started = Date.now();
  await generateSample(database.ownerUrl, { rows: ROWS });
  const adopted = await runAdoption(database.ownerUrl, { schema: "app" });
  if (!adopted.ok) throw new Error(`the sample did not adopt: ${adopted.instructions}`);
  const ids = [LEGACY_CUSTOMER_ID];
  while (ids.length < CUSTOMERS) ids.push(generateCustomerId());
  for (const id of ids)
    await owner.query(
      `insert into control.customers (id, name, contact_email, status, plan)
       values ($1, 'Load customer ' || $1, 'ops@' || lower($1) || '.example', 'active', 'enterprise')
       on conflict (id) do update set name = excluded.name, plan = 'enterprise'`,
      [id],
    );
  // Load measures capacity, not the limiter's refusals.
  await owner.query(
    "update control.plans set rate_limit_per_minute = 100000000, max_api_calls_month = 1000000000000, max_users = 1000",
  );
  const user = async (email: string, tenant: string | null, role?: string) => {
    const { rows } = await owner.query<{ id: string }>(
      "insert into control.users (email, display_name, platform_role) values ($1, $1, $2) returning id",
      [email, tenant ? null : "super_admin"],
    );
    if (tenant)
      await owner.query(
        "insert into control.memberships (tenant_id, user_id, role) values ($1, $2, $3)",
        [tenant, rows[0].id, role],
      );
    return { id: rows[0].id, email };
  };
  const cookieFor = (u: { id: string; email: string }, tenant: string | null) =>
    sessionCookie(owner, u, tenant);

  const root = await user("root@load.example", null);
  await owner.query(
    "insert into control.two_factor (user_id, secret, enabled_at) values ($1, $2, now())",
    [root.id, sealSecret(newTotpSecret())],
  );
  // A second super-admin, switched into the second customer to write: its pages are that
  // customer's, and must show no other's.
  const switched = await user("switched@load.example", null);
  await owner.query(
    "insert into control.two_factor (user_id, secret, enabled_at) values ($1, $2, now())",
    [switched.id, sealSecret(newTotpSecret())],
  );
  await owner.query(
    `insert into control.switches (super_admin_id, super_admin_email, tenant_id, reason, mode, expires_at)
     values ($1, $2, $3, 'bench:load: a switched super-admin under load', 'write', now() + interval '1 hour')`,
    [switched.id, switched.email, ids[1]],
  );
  const actors: Actor[] = [
    { label: "signed out", customer: null, headers: {} },
    { label: "super-admin", customer: null, headers: { cookie: await cookieFor(root, null) } },
    { label: "switched", customer: ids[1], headers: { cookie: await cookieFor(switched, null) } },
  ];
  for (const [i, id] of ids.entries()) {
    const admin = await user(`admin@${id.toLowerCase()}.example`, id, "admin");
    const member = await user(`member@${id.toLowerCase()}.example`, id, "member");
    if (i >= ACTIVE) continue;
    const { key } = await withTenant({ tenantId: id }, (tx) =>
      createKey(tx, id, { name: "load", scopes: ["usage:read", "customer:read"] }, "bench"),
    );
    actors.push(
      { label: "admin", customer: id, headers: { cookie: await cookieFor(admin, id) } },
      { label: "member", customer: id, headers: { cookie: await cookieFor(member, id) } },
      { label: "api key", customer: id, headers: { authorization: `Bearer ${key}` } },
    );
  }
  await takeSnapshot("command");
  console.log(
    `Seeded ${CUSTOMERS} customers, ${CUSTOMERS * 2 + 1} users, ${ROWS.toLocaleString("en")} data-plane rows in ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  );

  const server = await startConsole(database, PORT);
  try {
    const base = server.base;
    const requests = await trafficOf(actors, ids);
    for (const connections of LEVELS) {
      const report = await run(base, requests, connections);
      // Requests the run cut off may still be in the console's queue: how long until none runs.
      const stopped = Date.now();
      let stuck = { n: 0, queries: [] as string[] };
      for (;;) {
        stuck = (
          await owner.query<{ n: number; queries: string[] }>(
            `select count(*)::int as n, array_agg(left(query, 80)) as queries from pg_stat_activity
              where datname = current_database() and state <> 'idle' and pid <> pg_backend_pid()
                and backend_type = 'client backend' and query not ilike 'listen%'`,
          )
        ).rows[0];
        if (stuck.n === 0 || Date.now() - stopped > 60_000) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const drained = (Date.now() - stopped) / 1000;
      const actions = await owner.query<{ n: number }>(
        "select count(*)::int as n from control.audit_events where action = 'organisation.require-two-factor' and outcome = 'ok'",
      );
      const ms = (v: number) => `${v.toFixed(0)} ms`;
      console.log(
        `\n${connections} concurrent for ${SECONDS} s: ${report.perSecond.toFixed(0)} requests/s, ` +
          `p50 ${ms(report.p50)}, p95 ${ms(report.p95)}, p99 ${ms(report.p99)} (${report.counted} responses)`,
      );
      console.log(
        `  errors ${report.errors.length + report.transportErrors}${report.errors.length ? ` (${summary(report.errors)})` : ""}, ` +
          `foreign markers ${report.foreign.length}${report.foreign.length ? ` (${report.foreign.slice(0, 3).join("; ")})` : ""}, ` +
          `not answered within ${TIMEOUT} s ${report.timeouts}, the database idle ${drained.toFixed(1)} s after the run${stuck.n ? ` (${stuck.n} still running after 60 s)` : ""}, ` +
          `exports refused while the same user's ran (by design) ${report.exportsBusy}`,
      );
      console.log(
        `  slowest (p95): ${report.slowest.map((x) => `${x.path} ${x.p95.toFixed(0)} ms (${x.n})`).join(", ")}`,
      );
      if (stuck.n) console.log(`  still running: ${stuck.queries.join(" | ")}`);
      const serverErrors = server.said();
      if (report.errors.length) console.log(`  the server said: ${said(serverErrors)}`);
      console.log(
        `  server actions taken (their ok events, all levels so far): ${actions.rows[0].n}`,
      );
    }
    // A typical page against the cheapest route, alone, in the same run.
    const admin = actors.find((a) => a.label === "admin")!;
    const health = await throughput(base, { method: "GET", path: "/api/health" });
    const page = await throughput(base, { method: "GET", path: "/usage", headers: admin.headers });
    console.log(
      `\n/usage (a customer admin's page) ${page.toFixed(0)}/s against /api/health ${health.toFixed(0)}/s at 50 connections: ${ratio(page / health)}`,
    );
  } finally {
    await server.stop();
  }
});

type Request = autocannon.Request & {
  actor?: Actor;
  kind?: string;
  /** The status this request must get; any 2xx when unset. */
  expect?: number;
};

/** Each actor's requests: pages, the API, a server action, the export. */
async function trafficOf(actors: Actor[], ids: string[]): Promise<Request[]> {
  const manifest = JSON.parse(
    readFileSync(path.join(ROOT, ".next/server/server-reference-manifest.json"), "utf8"),
  ) as { node: Record<string, { exportedName: string }> };
  const actionId = Object.entries(manifest.node).find(
    ([, a]) => a.exportedName === "requireTwoFactorAction",
  )?.[0];
  if (!actionId) throw new Error("requireTwoFactorAction is not in the build's manifest");
  // As the browser posts a form to an action made for useActionState, (previous state, form),
  // encoded by React's own encodeReply (Next's copy).
  const form = new FormData();
  form.set("require", "off");
  const encoded = await encodeReply([null, form]);
  const posted = new Request("http://x/", { method: "POST", body: encoded });
  const actionBody = Buffer.from(await posted.arrayBuffer()).toString("latin1");
  const actionType = posted.headers.get("content-type")!;

  const requests: Request[] = [];
  const get = (actor: Actor, path: string, kind = "page") =>
    requests.push({ method: "GET", path, headers: actor.headers, actor, kind });
  for (const actor of actors) {
    if (actor.label === "signed out") {
      for (const p of ["/sign-in", "/api/health"]) get(actor, p);
      // A console page sends a signed-out visitor to sign in; the API asks for a key.
      for (const [path, expect] of [
        ["/customers", 307],
        ["/api/v1/usage", 401],
      ] as const)
        requests.push({ method: "GET", path, headers: actor.headers, actor, kind: "page", expect });
    } else if (actor.label === "switched") {
      for (const p of ["/home", "/usage", "/users", "/audit-trail"]) get(actor, p);
    } else if (actor.label === "super-admin") {
      for (const p of ["/", "/customers", `/customers/${ids[1]}`, "/audit-log", "/system"])
        get(actor, p);
    } else if (actor.label === "admin") {
      for (const p of ["/home", "/usage", "/users", "/audit-trail", "/api-keys"]) get(actor, p);
      requests.push({
        method: "POST",
        path: "/users",
        headers: { ...actor.headers, "next-action": actionId, "content-type": actionType },
        body: actionBody,
        actor,
        kind: "action",
      });
      if (actor.customer !== LEGACY_CUSTOMER_ID) get(actor, "/api/data/export", "export");
    } else if (actor.label === "member") {
      for (const p of ["/home", "/usage"]) get(actor, p);
    } else {
      for (const p of ["/api/v1/usage", "/api/v1/customer"]) get(actor, p, "api");
    }
  }
  return requests;
}

async function run(base: string, requests: Request[], connections: number) {
  const errors: string[] = [];
  const foreign: string[] = [];
  let exportsBusy = 0;
  let counted = 0;
  // One request template, each time one of the mix at random (autocannon would otherwise send
  // every connection through the list in the same order): the connection's context keeps which.
  type Context = { current?: Request; sentAt?: number };
  /** Each path's answer times, for where the time goes. */
  const byPath = new Map<string, number[]>();
  const mixed = {
    method: "GET",
    path: "/",
    setupRequest: (_req: Request, context: Context) => {
      const chosen = requests[Math.floor(Math.random() * requests.length)];
      context.current = chosen;
      context.sentAt = performance.now();
      return {
        method: chosen.method,
        path: chosen.path,
        headers: chosen.headers,
        body: chosen.body,
      };
    },
    onResponse: (status: number, body: string, context: Context) => {
      const request = context.current!;
      counted++;
      const path = `${request.actor?.label} ${request.method} ${(request.path ?? "").replace(/[A-Z0-9]{9}/, ":id")}`;
      byPath.set(path, [...(byPath.get(path) ?? []), performance.now() - context.sentAt!]);
      if (request.kind === "export" && status === 429) exportsBusy++;
      else if (request.expect ? status !== request.expect : status < 200 || status >= 300)
        errors.push(`${request.actor?.label} ${request.path} ${status}`);
      if (request.kind === "action" && !body.includes("Two-factor is now optional"))
        errors.push(
          `${request.actor?.label} ${request.path} action answered ${body.slice(body.indexOf("1:"), 200)}`,
        );
      if (request.actor?.customer)
        for (const [, id] of body.matchAll(MARKER))
          if (id !== request.actor.customer)
            foreign.push(
              `${request.actor.label} of ${request.actor.customer}: ${request.path} shows ${id}`,
            );
    },
  };
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections,
        duration: SECONDS,
        // A browser waits minutes; a request not answered in TIMEOUT s is counted as hanging.
        timeout: TIMEOUT,
        requests: [mixed as unknown as autocannon.Request],
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) =>
      latencies.push(responseTime),
    );
  });
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return {
    perSecond: result.requests.average,
    timeouts: result.timeouts,
    transportErrors: result.errors,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    errors,
    foreign,
    exportsBusy,
    counted,
    slowest: [...byPath]
      .map(([path, times]) => ({ path, p95: summarize(times).p95, n: times.length }))
      .sort((a, b) => b.p95 - a.p95)
      .slice(0, 4),
  };
}

async function throughput(base: string, request: Request) {
  const result = await autocannon({
    url: base,
    connections: 50,
    duration: Math.min(SECONDS, 15),
    requests: [request],
  });
  return result.requests.average;
}

function summary(errors: string[]): string {
  const counts = new Map<string, number>();
  for (const e of errors) counts.set(e, (counts.get(e) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([e, n]) => `${n}× ${e}`)
    .join(", ");
}

/** The server's distinct error lines, most frequent first. */
function said(log: string): string {
  const counts = new Map<string, number>();
  for (const line of log.split("\n").filter((l) => /error/i.test(l)))
    counts.set(line.trim().slice(0, 160), (counts.get(line.trim().slice(0, 160)) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([l, n]) => `${n}× ${l}`)
    .join(" | ");
}
