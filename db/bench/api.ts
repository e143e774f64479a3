// npm run bench:api — GET /api/v1/usage through the API's whole chain (the key's check, the
// rate limit and monthly count, zod, the tenant door) against the same handler called bare (the
// tenant door and the same reads, no key and no limiter), each at 50 concurrent in alternating
// rounds (BENCH_ROUNDS, 3, of BENCH_SECONDS, 5, each; the machine's drift falls on both alike),
// in this process: p50/p95 and the throughput ratio (target ≥ 0.85×). Then
// the key check and the limiter alone, one call at a time: their cost per request.
import { withTenant } from "../tenant";
import { generateCustomerId } from "../../lib/customers/ids";
import { customerUsage } from "../../lib/api/queries";
import { authenticateKey, createKey } from "../../lib/api/keys";
import { limiterStatements, takeCall } from "../../lib/api/limits";
import { GET } from "../../app/api/v1/usage/route";
import { withBenchDatabase } from "./database";
import { ms, ratio, summarize, timed } from "./stats";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 50;

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
});
