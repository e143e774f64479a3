// npm run bench:rls — the cost of row-level security and of the tenant-bound path.
// A table of 1 000 customers × 1 000 rows (primary key (tenant_id, id)); a point query and a
// 50-row page query, each timed three ways, interleaved, after a warm-up:
//   (a) bare: the statement with an explicit tenant filter, as the owner, no transaction;
//   (b) bound, RLS bypassed: the same transaction shape as withTenant, as tenantry_platform;
//   (c) withTenant: the real path, RLS enforced.
// Then 200 concurrent page queries through (a) and (c) on pools of 10: throughput ratio.
// The doors prepare their statements (db/tenant.ts); (a') is the bare statement prepared too, for
// reference: how much of (c)'s cost is the binding and RLS, not the parsing (a) pays and (c) doesn't.
// Figures are ratios against baselines measured in the same run; absolute times for reference.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { PgDialect } from "drizzle-orm/pg-core";
import { generateCustomerId } from "../../lib/customers/ids";
import { CURRENT_TENANT_SQL } from "../schema";
import { withSystem, withTenant } from "../tenant";
import { withBenchDatabase } from "./database";
import { ms, ratio, summarize, timed } from "./stats";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000);
const ROWS_PER_CUSTOMER = Number(process.env.BENCH_ROWS_PER_CUSTOMER ?? 1_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 3_000);
const WARMUP = 500;
const CONCURRENCY = 200;
const CONCURRENT_QUERIES = 20_000;

await withBenchDatabase("rls", { owner: 10, app: 10 }, async ({ owner }) => {
  const tenants = Array.from({ length: CUSTOMERS }, generateCustomerId);
  console.log(`Loading ${CUSTOMERS} customers × ${ROWS_PER_CUSTOMER} rows …`);
  await owner.query(`
    create schema app;
    create table app.items (tenant_id text not null, id bigint not null, name text not null,
                            amount numeric(12,2) not null, created_at timestamptz not null);`);
  await owner.query(
    `insert into app.items
       select t.id, g, 'item ' || g, (g % 997) * 1.25, now() - g * interval '1 minute'
         from unnest($1::text[]) as t(id), generate_series(1, $2::int) as g`,
    [tenants, ROWS_PER_CUSTOMER],
  );
  await owner.query(`
    alter table app.items add primary key (tenant_id, id);
    alter table app.items enable row level security;
    alter table app.items force row level security;
    create policy items_tenant_isolation on app.items
      using (tenant_id = ${CURRENT_TENANT_SQL})
      with check (tenant_id = ${CURRENT_TENANT_SQL});
    grant usage on schema app to tenantry_tenant, tenantry_platform;
    grant select on app.items to tenantry_tenant, tenantry_platform;`);
  await owner.query("vacuum analyze app.items");

  const bare = drizzle(owner);
  const dialect = new PgDialect();
  const pick = (i: number) => ({
    tenant: tenants[(i * 7919) % CUSTOMERS],
    id: 1 + ((i * 104729) % ROWS_PER_CUSTOMER),
  });
  // The columns named, as the app's query builder names them (a `select *` goes unprepared).
  const columns = sql.raw("tenant_id, id, name, amount, created_at");
  const point = (t: string, id: number) =>
    sql`select ${columns} from app.items where tenant_id = ${t} and id = ${id}`;
  const page = (t: string, after: number) =>
    sql`select ${columns} from app.items where tenant_id = ${t} and id > ${after} order by id limit 50`;

  type Make = (t: string, n: number) => ReturnType<typeof sql>;
  const ways = {
    a: (q: Make, t: string, n: number) => bare.execute(q(t, n)),
    "a'": (q: Make, t: string, n: number) => {
      const { sql: text, params } = dialect.sqlToQuery(q(t, n));
      return owner.query({
        name: q === point ? "bench_point" : "bench_page",
        text,
        values: params,
      });
    },
    b: (q: Make, t: string, n: number) =>
      withSystem("bench", (tx) => tx.execute(q(t, n)), { readOnly: true }),
    c: (q: Make, t: string, n: number) =>
      withTenant({ tenantId: t }, (tx) => tx.execute(q(t, n)), { readOnly: true }),
  };

  // Correctness first: the three ways return the same rows.
  const probe = pick(1);
  const counts = await Promise.all(
    Object.values(ways).map((w) => w(page, probe.tenant, 0).then((r) => r.rows.length)),
  );
  if (new Set(counts).size !== 1 || counts[0] !== 50)
    throw new Error(`the three ways disagree: ${counts}`);

  for (const [label, query] of [
    ["point query", point],
    ["50-row page", (t: string, n: number) => page(t, n % (ROWS_PER_CUSTOMER - 50))],
  ] as const) {
    const samples: Record<keyof typeof ways, number[]> = { a: [], "a'": [], b: [], c: [] };
    const order = Object.keys(ways) as (keyof typeof ways)[];
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const { tenant, id } = pick(i);
      // Rotate the order each round so no way always runs first on a warm cache.
      for (let k = 0; k < order.length; k++) {
        const way = order[(i + k) % order.length];
        const took = await timed(() => ways[way](query, tenant, id));
        if (i >= WARMUP) samples[way].push(took);
      }
    }
    const [a, a2, b, c] = [samples.a, samples["a'"], samples.b, samples.c].map(summarize);
    console.log(`\n${label} (${SAMPLES} samples each, interleaved)`);
    console.log(`  (a) bare, owner        p50 ${ms(a.p50)}  p95 ${ms(a.p95)}`);
    console.log(`  (a') bare, prepared    p50 ${ms(a2.p50)}  p95 ${ms(a2.p95)}`);
    console.log(`  (b) bound, RLS off     p50 ${ms(b.p50)}  p95 ${ms(b.p95)}`);
    console.log(`  (c) withTenant, RLS on p50 ${ms(c.p50)}  p95 ${ms(c.p95)}`);
    console.log(
      `  c/b (RLS itself)       p50 ${ratio(c.p50 / b.p50)}  p95 ${ratio(c.p95 / b.p95)}   target ≤ 1.03`,
    );
    console.log(
      `  c/a (tenant-bound path) p50 ${ratio(c.p50 / a.p50)}  p95 ${ratio(c.p95 / a.p95)}   target ≤ 1.2`,
    );
    console.log(
      `  c/a' (reference)       p50 ${ratio(c.p50 / a2.p50)}  p95 ${ratio(c.p95 / a2.p95)}`,
    );
  }

  const throughput = async (way: keyof typeof ways) => {
    let next = 0;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CONCURRENT_QUERIES) {
          const i = next++;
          const { tenant, id } = pick(i);
          await ways[way](page, tenant, id % (ROWS_PER_CUSTOMER - 50));
        }
      }),
    );
    return CONCURRENT_QUERIES / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  await throughput("a");
  await throughput("c"); // warm both pools to full size
  const qa = (await throughput("a")) + (await throughput("a"));
  const qc = (await throughput("c")) + (await throughput("c"));
  console.log(
    `\n${CONCURRENCY} concurrent page queries, pools of 10 (${CONCURRENT_QUERIES} × 2 each)`,
  );
  console.log(`  (a) bare        ${(qa / 2).toFixed(0)} queries/s`);
  console.log(`  (c) withTenant  ${(qc / 2).toFixed(0)} queries/s`);
  console.log(`  c/a throughput  ${ratio(qc / qa)}   target ≥ 0.9`);
});
