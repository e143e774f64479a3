// npm run bench:customers — the super-admin's customer list at 10 000 customers / 50 000 users.
// Each page query (sorted by every column both ways, filtered by status, searched by name
// prefix and by ID) is timed through the same tenant-bound path the page uses, p50/p95, as a
// ratio to a primary-key lookup timed in the same run; then each plan is printed, and any
// sequential scan in it is named.
import { eq, sql } from "drizzle-orm";
import { customerListQueries } from "../../lib/customers/queries";
import { customerListSchema, type CustomerListParams } from "../../lib/customers/schemas";
import { customers } from "../schema";
import { withSystem } from "../tenant";
import { withBenchDatabase } from "./database";
import { ms, ratio, summarize, timed } from "./stats";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 10_000);
const USERS = Number(process.env.BENCH_USERS ?? 50_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);

await withBenchDatabase("customers", { owner: 2, app: 2 }, async ({ owner }) => {
  console.log(`Loading ${CUSTOMERS} customers and ${USERS} users …`);
  // Deterministic names and IDs; statuses and plans spread as a real platform's would be.
  await owner.query(
    `insert into control.customers (id, name, status, plan, contact_email, created_at)
     select translate(lpad(upper(to_hex(g * 2654435761 % 4294967291)), 9, 'A'), '01', 'XY'),
            (array['Northwind','Bluebird','Cascade','Delta','Evergreen','Falcon','Granite','Harbor'])[1 + g % 8]
              || ' ' || (array['Motors','Auto Parts','Tire','Garage','Service'])[1 + g % 5] || ' ' || g,
            (array['active','active','active','trial','suspended','offboarding'])[1 + g % 6],
            (array['free','team','team','business','enterprise'])[1 + g % 5],
            'ops' || g || '@example.com', now() - g * interval '37 minutes'
       from generate_series(1, $1::int) g`,
    [CUSTOMERS],
  );
  await owner.query(
    "insert into control.users (email, display_name) select 'user' || g || '@example.com', 'User ' || g from generate_series(1, $1::int) g",
    [USERS],
  );
  await owner.query(
    `with c as (select id, row_number() over (order by id) as n from control.customers),
          u as (select id, row_number() over (order by id) as n from control.users)
     insert into control.memberships (tenant_id, user_id, role)
     select c.id, u.id, case when u.n % 5 = 0 then 'admin' else 'member' end
       from u join c on c.n = 1 + (u.n * 7919) % $1::int`,
    [CUSTOMERS],
  );
  await owner.query("vacuum analyze control.customers, control.users, control.memberships");

  const [{ id: someId }] = (
    await owner.query("select id from control.customers order by id offset $1 limit 1", [
      Math.floor(CUSTOMERS / 2),
    ])
  ).rows;
  const cases: [string, Partial<CustomerListParams>][] = [];
  for (const sort of ["name", "status", "plan", "users", "created"] as const) {
    for (const dir of ["asc", "desc"] as const) cases.push([`sort ${sort} ${dir}`, { sort, dir }]);
  }
  cases.push(["status = suspended, by created", { status: "suspended" }]);
  cases.push([
    "status = active, by name, page 40",
    { status: "active", sort: "name", dir: "asc", page: 40 },
  ]);
  cases.push(["plan = business, by users", { plan: "business", sort: "users" }]);
  cases.push(["name prefix 'falcon ga'", { q: "falcon ga" }]);
  cases.push(["ID search", { q: someId }]);
  cases.push(["page 200 by created", { page: 200, size: 50 }]);

  const run = (params: CustomerListParams) =>
    withSystem(
      "bench",
      async (tx) => {
        const q = customerListQueries(tx, params);
        return [await q.rows, await q.total];
      },
      { readOnly: true },
    );
  const lookup = () =>
    withSystem("bench", (tx) => tx.select().from(customers).where(eq(customers.id, someId)), {
      readOnly: true,
    });

  const baseline: number[] = [];
  const results: { label: string; p50: number; p95: number; plan: string }[] = [];
  for (const [label, partial] of cases) {
    const params = customerListSchema.parse(partial);
    for (let i = 0; i < 20; i++) await run(params); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      samples.push(await timed(() => run(params)));
      baseline.push(await timed(lookup));
    }
    const s = summarize(samples);
    const plan = await withSystem("bench", async (tx) => {
      const q = customerListQueries(tx, params);
      const text: string[] = [];
      for (const query of [q.rows, q.total]) {
        const { sql: statement, params: values } = query.toSQL();
        const explained = await tx.execute(
          sql.raw(
            `explain ${statement.replace(/\$(\d+)/g, (_, n) => literal(values[Number(n) - 1]))}`,
          ),
        );
        text.push(explained.rows.map((r) => String(r["QUERY PLAN"])).join("\n"));
      }
      return text.join("\n-- count:\n");
    });
    results.push({ label, p50: s.p50, p95: s.p95, plan });
  }
  const pk = summarize(baseline);
  console.log(`\nprimary-key lookup (same path): p50 ${ms(pk.p50)}  p95 ${ms(pk.p95)}\n`);
  console.log(
    "page query".padEnd(36) +
      "p50".padStart(12) +
      "p95".padStart(12) +
      "  p95 / pk p95   seq scans",
  );
  for (const r of results) {
    const seq = [...r.plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]);
    console.log(
      r.label.padEnd(36) +
        ms(r.p50).padStart(12) +
        ms(r.p95).padStart(12) +
        `  ${ratio(r.p95 / pk.p95).padStart(12)}   ${seq.length ? seq.join(", ") : "none"}`,
    );
  }
  if (process.env.BENCH_PLANS !== "0") {
    for (const r of results) console.log(`\n== ${r.label}\n${r.plan}`);
  }
});

/** For EXPLAIN only: the bench's own values, quoted as literals. */
function literal(value: unknown): string {
  if (typeof value === "number") return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
}
