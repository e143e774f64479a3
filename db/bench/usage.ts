// npm run bench:usage — usage at 1 000 customers over 32 tenant-scoped tables (standing in for
// the adopted sample), and the usage page's reads.
// (1) The snapshot at 1 M data-plane rows and again at 10 M (target: the ratio between them
//     ≤ 1.2): it reads the row counters, so its cost follows customers × tables, not rows. Each
//     is also shown against one count(*) of all those rows, timed in the same run. Then 1 % of
//     the customers add rows, and the next run says how many customers' figures it wrote.
// (2) The counters' write overhead (target ≤ 1.05×): the same writes through withTenant into a
//     table with the counters and one without, interleaved round by round — one-row inserts,
//     100-row inserts and one-row deletes, one writer and 8 at a time.
// (3) The usage page's queries for one customer (latest figures, limits, the 30-day trend of two
//     metrics, over 30 days of history as the rollup keeps it), through withTenant, 20 at a time.
// (4) The usage page itself over HTTP from the console's server (the last build; built when there
//     is none), 20 customer admins at a time: p50/p95 of the first requests after the server
//     starts, and of as many after them (target p95 < 150 ms); where the time goes: the request's
//     context and the page's reads timed alone at the same concurrency, the rest being the
//     framework, the render and the round trip; and the framework's floor on this machine:
//     /sign-in (one read, no console layout) at the same concurrency.
// (5) The snapshot table's size: bytes a customer snapshot, against the same snapshots written
//     as JSON documents (metric name → value, the form before the arrays) in the same run.
// BENCH_PARTS=4 (or 3,4 …) runs only those parts, after the same setup at 1 M rows: a part
// measured alone is not disturbed by what the ones before it wrote.
import { sql } from "drizzle-orm";
import { generateCustomerId } from "../../lib/customers/ids";
import { ensureRowCounters } from "../../lib/usage/counters";
import { dailyTrend, effectiveLimits, latestFigures } from "../../lib/usage/queries";
import { takeSnapshot } from "../../lib/usage/snapshot";
import { CURRENT_TENANT_SQL } from "../schema";
import { resolveContext } from "../../lib/auth/resolve-context";
import { withOwnerClient } from "../owner";
import { withTenant } from "../tenant";
import { ensureBuild, sessionCookie, startConsole } from "./console";
import { withBenchDatabase } from "./database";
import { ms, ratio, summarize, timed } from "./stats";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const TABLES = 32;
const CONCURRENCY = 20;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const ROUNDS = 20;
const WRITES_PER_ROUND = Number(process.env.BENCH_WRITES ?? 200);
const CURRENT = sql.raw(CURRENT_TENANT_SQL);
const PORT = Number(process.env.BENCH_PORT ?? 3291);
const PARTS = new Set((process.env.BENCH_PARTS ?? "1,2,3,4,5").split(",").map((x) => x.trim()));

ensureBuild();

await withBenchDatabase("usage", { owner: 2, app: 10 }, async ({ database, owner }) => {
  const tenants = Array.from({ length: CUSTOMERS }, generateCustomerId);
  await owner.query(
    "insert into control.customers (id, name, contact_email, plan) select t, 'Bench ' || t, 'b@example.com', 'team' from unnest($1::text[]) t",
    [tenants],
  );
  await owner.query(
    `insert into control.users (email, display_name) select 'u' || g || '@example.com', 'U' || g from generate_series(1, $1::int * 5) g`,
    [CUSTOMERS],
  );
  await owner.query(
    `insert into control.memberships (tenant_id, user_id, role)
     select t.id, u.id, 'member' from (select id, row_number() over () as n from control.users) u
       join (select id, row_number() over () - 1 as n from unnest($1::text[]) id) t on t.n = (u.n - 1) % $2::int`,
    [tenants, CUSTOMERS],
  );
  await owner.query(
    "create schema app; grant usage on schema app to tenantry_tenant, tenantry_platform",
  );
  const table = (i: number) => `app.t${String(i).padStart(2, "0")}`;
  for (let i = 1; i <= TABLES; i++) {
    const t = table(i);
    await owner.query(`
      create table ${t} (tenant_id text not null, id bigint not null, payload text, primary key (tenant_id, id));
      alter table ${t} enable row level security; alter table ${t} force row level security;
      create policy ${t.replace("app.", "")}_tenant on ${t}
        using (tenant_id = ${CURRENT_TENANT_SQL})
        with check (tenant_id = ${CURRENT_TENANT_SQL});
      grant select on ${t} to tenantry_tenant, tenantry_platform;`);
  }
  // Skewed: some tables and some customers hold far more than others. Rows [from, to) of `rows`.
  const load = async (rows: number, from: number) => {
    console.log(
      `Loading ${rows.toLocaleString("en")} rows over ${TABLES} tenant-scoped tables for ${CUSTOMERS} customers …`,
    );
    for (let i = 1; i <= TABLES; i++) {
      const share = Math.round((rows * (i % 4 === 0 ? 4 : 1)) / (TABLES * 1.75));
      await owner.query(
        `insert into ${table(i)} select ($1::text[])[1 + ((g::bigint * g) % $2::int)::int], g, md5(g::text)
           from generate_series($3::bigint, $3::bigint + $4::int - 1) g`,
        [tenants, CUSTOMERS, from, share],
      );
    }
    await owner.query("vacuum analyze");
    // The load's pages written out now: else a checkpoint would be writing them during the
    // measurement (spread over minutes), and the snapshot at 10 M would pay for the load.
    await owner.query("checkpoint");
  };
  const countAll = () =>
    owner.query(
      `select ${Array.from({ length: TABLES }, (_, i) => `(select count(*) from ${table(i + 1)})`).join(" + ")} as n`,
    );

  await load(ROWS, 1);
  const installing = await timed(() =>
    withOwnerClient(database.ownerUrl, (client) => ensureRowCounters(client)),
  );
  console.log(`  the counters made, with their first counts, in ${ms(installing)}`);
  // 30 days of history as the rollup leaves it (a run every 5 minutes for two days, then one an
  // hour), copied from one real run, so the trends read what they would on a live console.
  const first = await takeSnapshot("command", new Date(Date.now() - 30 * 86_400_000));
  if (first.skipped) throw new Error("the first snapshot skipped");
  await owner.query(
    `with runs as (
       insert into control.usage_runs (id, trigger, started_at, finished_at, customers, figures, scoped_tables)
       select gen_random_uuid(), 'periodic', t, t, r.customers, r.figures, r.scoped_tables
         from control.usage_runs r,
              (select generate_series(now() - interval '30 days', now() - interval '2 days', interval '1 hour') t
               union all
               select generate_series(now() - interval '2 days' + interval '5 minutes', now() - interval '5 minutes', interval '5 minutes')) times
        where r.id = $1
       returning id, started_at)
     insert into control.usage_snapshots (run_id, tenant_id, taken_at, figures)
     select runs.id, s.tenant_id, runs.started_at, s.figures
       from runs cross join control.usage_snapshots s where s.run_id = $1`,
    [first.runId],
  );
  await owner.query("vacuum analyze control.usage_snapshots, control.usage_runs");

  const measure = async () => {
    const total = Number((await countAll()).rows[0].n);
    const snapshots: number[] = [];
    const counts: number[] = [];
    // The counts first, then the snapshots: a count reads the data plane through the shared
    // buffers and evicts the control tables the snapshot reads, so a snapshot right after one
    // would pay to read them back (about 1.9× at 10 M here, and more the larger the data plane).
    for (let i = 0; i < 5; i++) counts.push(await timed(countAll));
    for (let i = 0; i < 5; i++) snapshots.push(await timed(() => takeSnapshot("command")));
    const [snap, count] = [summarize(snapshots).p50, summarize(counts).p50];
    console.log(
      `  at ${total.toLocaleString("en")} rows: snapshot p50 ${ms(snap)}; count(*) of all rows p50 ${ms(count)} (snapshot/count ${ratio(snap / count)})`,
    );
    return snap;
  };
  if (PARTS.has("1")) {
    console.log("\n(1) the snapshot");
    const small = await measure();
    await load(ROWS * 9, ROWS + 1);
    const large = await measure();
    console.log(`  snapshot at 10× the rows / at 1×: ${ratio(large / small)} (target ≤ 1.2)`);
    // 1 % of the customers add rows, growing a table by pages: the next run writes theirs
    // alone, not every customer whose storage share the table's new size would move.
    const active = tenants.slice(0, Math.ceil(CUSTOMERS / 100));
    await owner.query(
      `insert into ${table(1)} select t, $2::bigint + row_number() over (), md5(t || g)
         from unnest($1::text[]) t, generate_series(1, 100) g`,
      [active, ROWS * 10],
    );
    const next = await takeSnapshot("command");
    if (next.skipped) throw new Error("the snapshot skipped");
    console.log(
      `  after ${active.length} customers (1 %) added 100 rows each to one table: the next run wrote ${next.changed} of ${next.customers} customers' figures`,
    );
  }
  if (PARTS.has("2")) await writeOverhead();
  const page = (tenantId: string) =>
    withTenant(
      { tenantId },
      async (tx) => {
        await latestFigures(tx, tenantId);
        await effectiveLimits(tx, tenantId);
        await dailyTrend(tx, tenantId, ["users.total", "actions.30d"]);
      },
      { readOnly: true },
    );
  if (PARTS.has("3")) await pageQueries(page);
  if (PARTS.has("4")) await pageOverHttp(page);
  if (PARTS.has("5")) await snapshotSize();

  async function writeOverhead() {
    console.log("\n(2) the counters' write overhead");
    for (const t of ["app.plain", "app.counted"])
      await owner.query(`
      create table ${t} (tenant_id text not null, id bigint generated always as identity, payload text, primary key (tenant_id, id));
      alter table ${t} enable row level security; alter table ${t} force row level security;
      create policy tenant on ${t} using (tenant_id = ${CURRENT_TENANT_SQL}) with check (tenant_id = ${CURRENT_TENANT_SQL});
      grant select, insert, delete on ${t} to tenantry_tenant;`);
    await withOwnerClient(database.ownerUrl, (client) =>
      ensureRowCounters(client, [{ schema: "app", table: "counted" }]),
    );
    const writes = {
      "one-row insert": (t: string) =>
        sql`insert into ${sql.raw(t)} (tenant_id, payload) values (${CURRENT}, 'x')`,
      "100-row insert": (t: string) =>
        sql`insert into ${sql.raw(t)} (tenant_id, payload) select ${CURRENT}, 'x' from generate_series(1, 100)`,
      "one-row delete": (t: string) =>
        sql`delete from ${sql.raw(t)} where id = (select min(id) from ${sql.raw(t)} where tenant_id = ${CURRENT})`,
    };
    for (const writers of [1, 8])
      for (const [label, statement] of Object.entries(writes)) {
        const spent = { "app.plain": 0, "app.counted": 0 };
        // Round by round, each table first in turn, so neither gains from the other's warm-up.
        for (let round = 0; round < ROUNDS; round++)
          for (const t of round % 2
            ? (["app.counted", "app.plain"] as const)
            : (["app.plain", "app.counted"] as const)) {
            let next = 0;
            spent[t] += await timed(() =>
              Promise.all(
                Array.from({ length: writers }, async () => {
                  while (next < WRITES_PER_ROUND) {
                    const tenantId = tenants[next++ % CUSTOMERS];
                    await withTenant({ tenantId }, (tx) => tx.execute(statement(t)));
                  }
                }),
              ),
            );
          }
        console.log(
          `  ${label}, ${writers} writer(s): ${ms(spent["app.plain"] / (ROUNDS * WRITES_PER_ROUND))} → ${ms(spent["app.counted"] / (ROUNDS * WRITES_PER_ROUND))} a write; ${ratio(spent["app.counted"] / spent["app.plain"])} (target ≤ 1.05)`,
        );
      }
  }

  async function pageQueries(page: (tenantId: string) => Promise<void>) {
    console.log("\n(3) the usage page");
    for (let i = 0; i < 100; i++) await page(tenants[i % CUSTOMERS]);
    const samples: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          const i = next++;
          samples.push(await timed(() => page(tenants[(i * 7919) % CUSTOMERS])));
        }
      }),
    );
    const p = summarize(samples);
    console.log(
      `usage page queries, ${CONCURRENCY} at a time (${REQUESTS}): p50 ${ms(p.p50)}  p95 ${ms(p.p95)} (target p95 < 150 ms)`,
    );
  }

  async function pageOverHttp(page: (tenantId: string) => Promise<void>) {
    console.log(
      `\n(4) the usage page over HTTP, ${CONCURRENCY} at a time, and where its time goes`,
    );
    const admins: { userId: string; sessionId: string; cookie: string }[] = [];
    for (const tenantId of tenants.slice(0, CONCURRENCY)) {
      const email = `admin@${tenantId.toLowerCase()}.example`;
      const { rows } = await owner.query<{ id: string }>(
        "insert into control.users (email, display_name) values ($1, $1) returning id",
        [email],
      );
      await owner.query(
        "insert into control.memberships (tenant_id, user_id, role) values ($1, $2, 'admin')",
        [tenantId, rows[0].id],
      );
      const cookie = await sessionCookie(owner, { id: rows[0].id, email }, tenantId);
      const { rows: session } = await owner.query<{ id: string }>(
        "select id from control.sessions where user_id = $1",
        [rows[0].id],
      );
      admins.push({ userId: rows[0].id, sessionId: session[0].id, cookie });
    }
    /** `work` by CONCURRENCY workers, each as one admin, REQUESTS times in all: each one's ms. */
    const concurrently = async (work: (admin: (typeof admins)[number]) => Promise<unknown>) => {
      const times: number[] = [];
      let sent = 0;
      await Promise.all(
        admins.map(async (admin) => {
          while (sent++ < REQUESTS) times.push(await timed(() => work(admin)));
        }),
      );
      return summarize(times);
    };
    const context = await concurrently((a) => resolveContext(a.userId, { sessionId: a.sessionId }));
    const reads = await concurrently((a) => page(tenants[admins.indexOf(a)]));
    const server = await startConsole(database, PORT);
    try {
      const get = async (admin: (typeof admins)[number]) => {
        const response = await fetch(`${server.base}/usage`, { headers: { cookie: admin.cookie } });
        const body = await response.text();
        if (response.status !== 200 || !body.includes("Quotas"))
          throw new Error(`/usage answered ${response.status}: ${server.said().slice(-500)}`);
      };
      // The first requests after a start run while the JIT compiles the server's code: timed
      // apart from the next ones, a server's steady state.
      const cold = await concurrently(get);
      const http = await concurrently(get);
      const health = await concurrently(() =>
        fetch(`${server.base}/api/health`).then((r) => r.text()),
      );
      // The framework's floor here: a page of the same server that reads one row and renders a
      // form, without the console's layout, at the same concurrency, warmed up alike.
      const signIn = () => fetch(`${server.base}/sign-in`).then((r) => r.text());
      await concurrently(signIn);
      const floor = await concurrently(signIn);
      console.log(
        `  GET /usage, the first ${REQUESTS} after the server started: p50 ${ms(cold.p50)}  p95 ${ms(cold.p95)}`,
      );
      console.log(
        `  GET /usage, the next ${REQUESTS}: p50 ${ms(http.p50)}  p95 ${ms(http.p95)} (target p95 < 150 ms); /api/health alone: p50 ${ms(health.p50)}`,
      );
      console.log(
        `  GET /sign-in (one read, no console layout) at the same concurrency: p50 ${ms(floor.p50)}  p95 ${ms(floor.p95)}; /usage against it: p95 ${ratio(http.p95 / floor.p95)}`,
      );
      console.log(
        `  in the process, at the same concurrency: the request's context (session, user, customer) p50 ${ms(context.p50)} p95 ${ms(context.p95)}; the page's reads p50 ${ms(reads.p50)} p95 ${ms(reads.p95)}`,
      );
      const rest = http.p50 - context.p50 - reads.p50;
      console.log(
        `  the rest (the server's framework, the render and the HTTP round trip), p50: about ${ms(Math.max(rest, 0))}, ${((Math.max(rest, 0) / http.p50) * 100).toFixed(0)} % of the request`,
      );
    } finally {
      await server.stop();
    }
  }

  // The table's size, against the same snapshots as one JSON document each (the form before
  // the arrays), both freshly written.
  async function snapshotSize() {
    await owner.query("vacuum full control.usage_snapshots");
    await owner.query(
      "create table public.as_documents as select run_id, tenant_id, taken_at, control.usage_document(figures) as figures from control.usage_snapshots",
    );
    const { rows: size } = await owner.query(
      `select (select count(*) from control.usage_runs)::int as runs, count(*)::int as n,
            pg_total_relation_size('control.usage_snapshots') as bytes,
            pg_table_size('control.usage_snapshots') as arrays, pg_table_size('public.as_documents') as documents
       from control.usage_snapshots`,
    );
    const [arrays, documents, n] = [Number(size[0].arrays), Number(size[0].documents), size[0].n];
    console.log(
      `  usage_snapshots holds ${n.toLocaleString("en")} customer snapshots of ${size[0].runs.toLocaleString("en")} runs, ${(Number(size[0].bytes) / 2 ** 20).toFixed(0)} MiB with its indexes;` +
        ` ${(arrays / n).toFixed(0)} bytes a snapshot against ${(documents / n).toFixed(0)} as JSON documents (${ratio(arrays / documents)})`,
    );
  }
});
