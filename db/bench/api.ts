// npm run bench:api — GET /api/v1/usage through the API's whole chain (the key's check, the
// rate limit and monthly count, zod, the tenant door) against the same handler called bare (the
// tenant door and the same reads, no key and no limiter), each at 50 concurrent in alternating
// rounds (BENCH_ROUNDS, 3, of BENCH_SECONDS, 5, each; the machine's drift falls on both alike),
// in this process: p50/p95 and the throughput ratio (target ≥ 0.85×). Then
// the key check and the limiter alone, one call at a time: their cost per request. Then the
// month's metered events (BENCH_EVENTS, 1 000 000), read as before and from their totals, and
// what keeping the totals costs a batch of events.
import { sql } from "drizzle-orm";
import { withTenant, type Tx } from "../tenant";
import { generateCustomerId } from "../../lib/customers/ids";
import { customerUsage, eventsOfMonth, recordEvents } from "../../lib/api/queries";
import { authenticateKey, createKey } from "../../lib/api/keys";
import { limiterStatements, takeCall } from "../../lib/api/limits";
import { GET } from "../../app/api/v1/usage/route";
import { withBenchDatabase } from "./database";
import { ms, ratio, summarize, timed } from "./stats";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 50;
/** Metered events the customer sent this month, for the events' read. */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);

/** `CONCURRENCY` loops of `fn` for SECONDS: each call's latency, and how long it took. */
async function load(fn: () => Promise<void>) {
  const latencies: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) latencies.push(await timed(fn));
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/** Rounds of `load`, merged: p50/p95 over every call, and calls a second over all the time. */
function merged(rounds: Awaited<ReturnType<typeof load>>[]) {
  const latencies = rounds.flatMap((r) => r.latencies);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  return { ...summarize(latencies), perSecond: latencies.length / seconds };
}

await withBenchDatabase("api", { owner: 2, app: 20 }, async ({ owner }) => {
  const tenant = generateCustomerId();
  await owner.query(
    "insert into control.customers (id, name, contact_email, status, plan) values ($1, 'Bench', 'b@example.invalid', 'active', 'enterprise')",
    [tenant],
  );
  // The bench measures the limiter's cost, not its refusals: a rate and a month no run reaches.
  await owner.query(
    "update control.plans set rate_limit_per_minute = 100000000, max_api_calls_month = 1000000000000 where name = 'enterprise'",
  );
  const { key } = await withTenant({ tenantId: tenant }, (tx) =>
    createKey(tx, tenant, { name: "bench", scopes: ["usage:read"] }, "bench"),
  );
  const request = () =>
    new Request("http://localhost/api/v1/usage", { headers: { authorization: `Bearer ${key}` } });

  // The handler as the route runs it, answer included, without the key, the limiter and zod.
  const bare = async () => {
    const usage = await withTenant({ tenantId: tenant }, (tx) => customerUsage(tx, tenant, 30), {
      readOnly: true,
    });
    await Response.json(usage, { headers: { "Cache-Control": "no-store" } }).arrayBuffer();
  };
  const chain = async () => {
    const response = await GET(request());
    if (response.status !== 200) throw new Error(`the chain answered ${response.status}`);
    await response.arrayBuffer();
  };
  // Warm both paths (pools, plans, JIT of the code) before measuring.
  for (let i = 0; i < 200; i++) await Promise.all([bare(), chain()]);
  const bareRounds = [];
  const chainRounds = [];
  let statements = 0;
  for (let i = 0; i < ROUNDS; i++) {
    bareRounds.push(await load(bare));
    const before = limiterStatements();
    chainRounds.push(await load(chain));
    statements += limiterStatements() - before;
  }
  const base = merged(bareRounds);
  const full = merged(chainRounds);

  const keyCheck: number[] = [];
  const limiter: number[] = [];
  for (let i = 0; i < 2000; i++) {
    keyCheck.push(await timed(() => authenticateKey(key)));
    limiter.push(await timed(() => takeCall(tenant, "key:bench")));
  }

  console.log(
    `\nbench:api — GET /api/v1/usage, ${CONCURRENCY} concurrent, ${ROUNDS} alternating rounds of ${SECONDS} s each\n`,
  );
  console.log(
    `bare handler (tenant door, same reads): p50 ${ms(base.p50)}, p95 ${ms(base.p95)}, ${base.perSecond.toFixed(0)} req/s`,
  );
  console.log(
    `whole chain (key, limiter, zod, door):  p50 ${ms(full.p50)}, p95 ${ms(full.p95)}, ${full.perSecond.toFixed(0)} req/s`,
  );
  console.log(
    `throughput: chain / bare = ${ratio(full.perSecond / base.perSecond)} (target ≥ 0.85×)`,
  );
  const calls = chainRounds.reduce((n, r) => n + r.latencies.length, 0);
  console.log(
    `the limiter's statements: ${statements} for ${calls} calls (one per ${(calls / statements).toFixed(1)} calls: leases)`,
  );
  console.log(
    `one at a time: the key check p50 ${ms(summarize(keyCheck).p50)}, the limiter (mostly from its lease) p50 ${ms(summarize(limiter).p50)} per request`,
  );

  // The month's metered events: EVENTS of them over four kinds, read one at a time as GET
  // /api/v1/usage and the Usage page read them before migration 0077 (summed from the events)
  // and now (the totals the events' triggers keep).
  const month = new Date().toISOString().slice(0, 7);
  await owner.query(
    `insert into control.usage_events (tenant_id, event_id, kind, quantity, occurred_at)
     select $1, 'bench-' || g, (array['invoice', 'sms', 'seat', 'call'])[1 + g % 4], 1 + g % 7,
            date_trunc('month', now()) + (g % 86400) * interval '1 second'
       from generate_series(1, $2::int) g`,
    [tenant, EVENTS],
  );
  await owner.query("vacuum analyze control.usage_events, control.usage_event_totals");
  const asTenant = <T>(work: (tx: Tx) => Promise<T>) =>
    withTenant({ tenantId: tenant }, work, { readOnly: true });
  const summedBefore = () =>
    asTenant((tx) =>
      tx.execute(sql`select kind, sum(quantity)::bigint as quantity, count(*)::int as events
                       from control.usage_events
                      where tenant_id = ${tenant} and occurred_at >= ${new Date(`${month}-01T00:00:00Z`)}
                      group by kind order by kind`),
    );
  const fromTotals = () => asTenant((tx) => eventsOfMonth(tx, tenant, month));
  const [was, is] = [[] as number[], [] as number[]];
  for (let i = 0; i < 20; i++) {
    was.push(await timed(summedBefore));
    is.push(await timed(fromTotals));
  }
  const [before, now] = [summarize(was), summarize(is)];
  console.log(
    `\nthe month's metered events, ${EVENTS.toLocaleString("en")} of them: summed from the events (before) p50 ${ms(before.p50)} p95 ${ms(before.p95)}; ` +
      `from their totals p50 ${ms(now.p50)} p95 ${ms(now.p95)}, ${ratio(now.p95 / before.p95)} of before (p95)`,
  );

  // What the totals cost a batch of events: POST /api/v1/usage/events's insert, in the tenant
  // door, in alternating rounds with the totals' insert trigger on and off.
  let sent = 0;
  const batchOf = (size: number) =>
    Array.from({ length: size }, (_, i) => ({
      id: `w-${sent++}-${i}`,
      kind: ["invoice", "sms", "seat", "call"][i % 4],
      quantity: 1,
    }));
  for (const size of [1, 1000]) {
    const [on, off] = [[] as number[], [] as number[]];
    for (let round = 0; round < 8; round++) {
      const totalling = round % 2 === 0;
      await owner.query(
        `alter table control.usage_events ${totalling ? "enable" : "disable"} trigger usage_events_total_insert`,
      );
      for (let i = 0; i < (size === 1 ? 200 : 20); i++)
        (totalling ? on : off).push(
          await timed(() =>
            withTenant({ tenantId: tenant }, (tx) => recordEvents(tx, null, batchOf(size))),
          ),
        );
    }
    await owner.query("alter table control.usage_events enable trigger usage_events_total_insert");
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `a batch of ${size} event(s): with the totals' trigger ${ms(mean(on))}, without ${ms(mean(off))}: ${ratio(mean(on) / mean(off))}`,
    );
  }
});
