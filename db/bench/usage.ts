// npm run bench:usage — the usage snapshot at 1 000 customers and 1 000 000 data-plane rows
// (32 tenant-scoped tables standing in for the adopted sample), and the usage page's reads.
// (1) The snapshot run time (target < 2 s), as a ratio to one count(*) of all those rows timed
//     in the same run.
// (2) The usage page's queries for one customer (latest figures, limits, two 30-day trends,
//     over 30 days of history), through withTenant, 20 at a time: p50/p95 (target p95 < 150 ms).
//     The page renders from these; the render itself is not in the figure.
import { generateCustomerId } from "../../lib/customers/ids";
import { dailyTrend, effectiveLimits, latestFigures } from "../../lib/usage/queries";
import { takeSnapshot } from "../../lib/usage/snapshot";
import { CURRENT_TENANT_SQL } from "../schema";
import { withTenant } from "../tenant";
import { withBenchDatabase } from "./database";
import { ms, ratio, summarize, timed } from "./stats";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const TABLES = 32;
const CONCURRENCY = 20;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);

await withBenchDatabase("usage", { owner: 2, app: 10 }, async ({ owner }) => {
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
  console.log(
    `Loading ${ROWS.toLocaleString("en")} rows over ${TABLES} tenant-scoped tables for ${CUSTOMERS} customers …`,
  );
  await owner.query(
    "create schema app; grant usage on schema app to tenantry_tenant, tenantry_platform",
  );
  for (let i = 1; i <= TABLES; i++) {
    const t = `app.t${String(i).padStart(2, "0")}`;
    await owner.query(`
      create table ${t} (tenant_id text not null, id bigint not null, payload text, primary key (tenant_id, id));
      alter table ${t} enable row level security; alter table ${t} force row level security;
      create policy ${t.replace("app.", "")}_tenant on ${t}
        using (tenant_id = ${CURRENT_TENANT_SQL})
        with check (tenant_id = ${CURRENT_TENANT_SQL});
      grant select on ${t} to tenantry_tenant, tenantry_platform;`);
    // Skewed: some tables and some customers hold far more than others.
    const share = Math.round((ROWS * (i % 4 === 0 ? 4 : 1)) / (TABLES * 1.75));
    await owner.query(
      `insert into ${t} select ($1::text[])[1 + ((g::bigint * g) % $2::int)::int], g, md5(g::text) from generate_series(1, $3::int) g`,
      [tenants, CUSTOMERS, share],
    );
  }
  await owner.query("vacuum analyze");
  const { rows: total } = await owner.query(
    `select ${Array.from({ length: TABLES }, (_, i) => `(select count(*) from app.t${String(i + 1).padStart(2, "0")})`).join(" + ")} as n`,
  );
  console.log(`  ${Number(total[0].n).toLocaleString("en")} rows in all`);

  // 30 days of history: one snapshot a day, so the trends have something to read.
  for (let d = 30; d >= 1; d--)
    await takeSnapshot("command", new Date(Date.now() - d * 86_400_000));

  const countAll = () =>
    owner.query(
      `select ${Array.from({ length: TABLES }, (_, i) => `(select count(*) from app.t${String(i + 1).padStart(2, "0")})`).join(" + ")}`,
    );
  await countAll();
  const snapshots: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < 5; i++) {
    counts.push(await timed(countAll));
    snapshots.push(await timed(() => takeSnapshot("command")));
  }
  const [s, c] = [summarize(snapshots), summarize(counts)];
  console.log(
    `\nsnapshot run: p50 ${ms(s.p50)} (target < 2 s); count(*) of all rows: p50 ${ms(c.p50)}; ratio ${ratio(s.p50 / c.p50)}`,
  );

  const page = (tenantId: string) =>
    withTenant(
      { tenantId },
      async (tx) => {
        await latestFigures(tx, tenantId);
        await effectiveLimits(tx, tenantId);
        await dailyTrend(tx, tenantId, "users.total");
        await dailyTrend(tx, tenantId, "actions.30d");
      },
      { readOnly: true },
    );
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
  const { rows: size } = await owner.query(
    "select count(*)::int as n from control.usage_snapshots",
  );
  console.log(`  usage_snapshots holds ${size[0].n.toLocaleString("en")} figures`);
});
