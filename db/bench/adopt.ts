// npm run bench:adopt — adoption of the sample data plane at 1 000 000 rows over 32 tables.
// (1) The adoption's run time including its verification (floor < 5 s, aim < 3 s), as a ratio to
//     a plain copy of the same tables (`create table … as select`) timed in the same run: the
//     median of the copies, one just before each cycle; and each cycle's own ratio, to show how
//     far it moves from one cycle to the next.
// (2) The revert's run time (the generated down migration, verified).
//     Both are the median of 3 adopt → revert cycles (BENCH_CYCLES), each after a CHECKPOINT, so
//     a checkpoint the previous cycle's index builds caused does not land in the next one's figure.
// (3) The lock window: a writer (inserts and updates in four sample tables every 10 ms, as the
//     application would) runs through each adoption; its longest statement, as the server timed
//     it, is how long the platform's writes stood still (target < 1 s at 1 M and at 10 M rows:
//     BENCH_ROWS=10000000).
// (4) The plan of a 500-table schema (target < 2 s), against the plan of the 32-table sample
//     per table: the catalog is read set-wise, so the per-table cost must not grow.
// (5) Five typical queries of the legacy application, through withTenant as LEGACY001, before and
//     after adoption: p50/p95 and the ratio after/before (target ≤ 1.10). "Before" is an
//     un-adopted copy of the same sample (schema before_adoption, generated from the same seed),
//     granted to the tenant role so both sides take the same path and only RLS and the keys
//     differ; the two are measured in alternating rounds, so drift in the machine's speed
//     falls on both sides alike.
// The tables are vacuumed first, as a live database's would be (autovacuum).
import { sql } from "drizzle-orm";
import { introspect } from "../../lib/adoption/introspect";
import { planAdoption } from "../../lib/adoption/plan";
import { runAdoption, runRevert } from "../../lib/adoption/run";
import { startWriter } from "../../lib/adoption/test/writer";
import { LEGACY_CUSTOMER_ID } from "../../lib/customers/ids";
import { withOwnerClient } from "../owner";
import { generateSample } from "../sample/generate";
import { inOwnerTransaction } from "../owner";
import { withTenant } from "../tenant";
import { withBenchDatabase } from "./database";
import { ms, ratio, summarize, timed } from "./stats";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 1_000);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 3);

interface Query {
  name: string;
  /** Parameter values drawn from the data, one per iteration (cycled). */
  values: string;
  run: (app: ReturnType<typeof sql.identifier>, value: string) => ReturnType<typeof sql>;
}

const QUERIES: Query[] = [
  {
    name: "work order by number, with its lines",
    values: "select number as v from app.work_orders order by md5(id::text) limit 500",
    run: (app, v) =>
      sql`select wo.id, wo.status, l.product_id, l.quantity, l.price from ${app}.work_orders wo join ${app}.work_order_lines l on l.work_order_id = wo.id where wo.number = ${v}`,
  },
  {
    name: "a customer's 20 latest work orders",
    values: "select customer_id::text as v from app.work_orders order by md5(id::text) limit 500",
    run: (app, v) =>
      sql`select id, number, status, opened_at from ${app}.work_orders where customer_id = ${Number(v)} order by opened_at desc limit 20`,
  },
  {
    name: "product by SKU, with stock",
    values: "select sku as v from app.products order by md5(id::text) limit 500",
    run: (app, v) =>
      sql`select p.id, p.name, p.price, i.quantity from ${app}.products p join ${app}.inventory i on i.product_id = p.id where p.sku = ${v}`,
  },
  {
    name: "session by token, with its user",
    values: "select token as v from app.sessions order by md5(id::text) limit 500",
    run: (app, v) =>
      sql`select u.id, u.email, u.role from ${app}.sessions s join ${app}.users u on u.id = s.user_id where s.token = ${v}`,
  },
  {
    name: "a loyalty account's 50 latest transactions",
    values:
      "select account_id::text as v from app.loyalty_transactions order by md5(id::text) limit 500",
    run: (app, v) =>
      sql`select points, at from ${app}.loyalty_transactions where account_id = ${Number(v)} order by at desc limit 50`,
  },
];

const ROUNDS = 10;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Each query on both schemas in alternating rounds (which goes first alternates too). */
async function compareQueries(values: string[][]) {
  const sides = { before: sql.identifier("before_adoption"), after: sql.identifier("app") };
  const samples = QUERIES.map(() => ({ before: [] as number[], after: [] as number[] }));
  const perRound = Math.ceil(ITERATIONS / ROUNDS);
  for (let round = 0; round < ROUNDS + 1; round++) {
    const order = round % 2 ? (["after", "before"] as const) : (["before", "after"] as const);
    for (const [i, q] of QUERIES.entries()) {
      for (const side of order) {
        for (let n = 0; n < perRound; n++) {
          const value = values[i][(round * perRound + n) % values[i].length];
          const t = await timed(() =>
            withTenant(
              { tenantId: LEGACY_CUSTOMER_ID },
              (tx) => tx.execute(q.run(sides[side], value)),
              { readOnly: true },
            ),
          );
          if (round > 0) samples[i][side].push(t); // round 0 warms the caches
        }
      }
    }
  }
  return samples.map((s) => ({ before: summarize(s.before), after: summarize(s.after) }));
}

await withBenchDatabase("adopt", { owner: 2, app: 2 }, async ({ database, owner }) => {
  console.log(`Generating the sample at ${ROWS.toLocaleString("en")} rows …`);
  const sample = await generateSample(database.ownerUrl, { rows: ROWS });
  await withOwnerClient(database.ownerUrl, (client) => client.query("vacuum analyze"));
  const tables = Object.keys(sample.counts);

  // The baseline: a plain copy of the same 32 tables, in one transaction, once a cycle.
  const copies: number[] = [];
  const copyOnce = async () => {
    await owner.query("checkpoint");
    copies.push(
      await timed(async () => {
        const client = await owner.connect();
        try {
          await client.query("begin");
          await client.query("create schema copy");
          for (const t of tables)
            await client.query(`create table copy.${t} as select * from app.${t}`);
          await client.query("commit");
        } finally {
          client.release();
        }
      }),
    );
    await owner.query("drop schema copy cascade");
  };

  const adoptions: number[] = [];
  const reverts: number[] = [];
  const waits: { longest: number; window: number; statements: number }[] = [];
  // The steps that run while the tables are locked: the plan's two transactions.
  const lockedSteps = await inOwnerTransaction(database.ownerUrl, async (_client, tx) =>
    planAdoption("app", await introspect(tx, "app"))
      .steps.filter((s) => s.phase === "prepare" || s.phase === "locked")
      .map((s) => s.name),
  );
  let steps: { step: string; ms: number }[] = [];
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    console.log(`Adopt and revert, cycle ${cycle} of ${CYCLES} …`);
    await copyOnce();
    await owner.query("checkpoint");
    const writer = startWriter(database.ownerUrl, LEGACY_CUSTOMER_ID);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const adoption = await runAdoption(database.ownerUrl, { schema: "app" });
    const wrote = await writer.stop();
    if (!adoption.ok) throw new Error(adoption.instructions);
    if (wrote.errors.length) throw new Error(`the writer failed: ${wrote.errors[0]}`);
    adoptions.push(adoption.ms);
    const { rows: phases } = await owner.query<{ ms: number }>(
      `select ms from control.adoption_steps where run_id = $1 and step in (${lockedSteps.map((_, i) => `$${i + 2}`).join(", ")})`,
      [adoption.runId, ...lockedSteps],
    );
    waits.push({
      longest: wrote.longestMs,
      window: phases.reduce((n, r) => n + r.ms, 0),
      statements: wrote.statements,
    });
    if (cycle === 1)
      steps = (
        await owner.query<{ step: string; ms: number }>(
          "select step, ms from control.adoption_steps where run_id = $1 order by started_at, id",
          [adoption.runId],
        )
      ).rows;
    await owner.query("checkpoint");
    const revert = await runRevert(database.ownerUrl, { schema: "app" });
    if (!revert.ok) throw new Error(revert.instructions);
    reverts.push(revert.ms);
  }

  // The plan of a wide schema: 500 tables, each with a key, a unique, a foreign key and an index.
  console.log("Planning a 500-table schema …");
  const wide = Array.from({ length: 500 }, (_, i) => i);
  await owner.query(
    `create schema wide; ${wide
      .map(
        (i) =>
          `create table wide.t${i} (id bigint primary key, code text unique, parent_id bigint${i ? ` references wide.t${i - 1}` : ""}, at timestamptz); create index on wide.t${i} (at);`,
      )
      .join(" ")}`,
  );
  const planTime = (schema: string) =>
    timed(() =>
      inOwnerTransaction(database.ownerUrl, async (_client, tx) =>
        planAdoption(schema, await introspect(tx, schema)),
      ),
    );
  await planTime("app");
  const planApp = median([await planTime("app"), await planTime("app"), await planTime("app")]);
  const planWide = median([await planTime("wide"), await planTime("wide"), await planTime("wide")]);
  await owner.query("drop schema wide cascade");
  const copy = median(copies);

  // For the queries: the reverted sample becomes the un-adopted side, a second one from the same
  // seed is adopted (only now: two copies would not both fit in shared_buffers during the timings).
  await owner.query("alter schema app rename to before_adoption");
  await generateSample(database.ownerUrl, { rows: ROWS });
  const final = await runAdoption(database.ownerUrl, { schema: "app" });
  if (!final.ok) throw new Error(final.instructions);
  await owner.query("vacuum analyze");
  await owner.query(
    "grant usage on schema before_adoption to tenantry_tenant; grant select on all tables in schema before_adoption to tenantry_tenant",
  );
  await owner.query("vacuum analyze");
  const values = await Promise.all(
    QUERIES.map(async (q) =>
      (await owner.query<{ v: string }>(q.values.replaceAll("app.", "before_adoption."))).rows.map(
        (r) => r.v,
      ),
    ),
  );
  console.log(
    `Queries before and after adoption, ${ITERATIONS} each side, in ${ROUNDS} alternating rounds …`,
  );
  const queries = await compareQueries(values);

  const seconds = (x: number) => `${(x / 1000).toFixed(2)} s`;
  console.log(
    `\nbench:adopt — ${sample.rows.toLocaleString("en")} rows in ${sample.tables} tables\n`,
  );
  console.log(
    `Adoption, verification included: ${seconds(median(adoptions))}, median of ${adoptions.map(seconds).join(", ")} (floor < 5 s, aim < 3 s)`,
  );
  console.log(
    `Plain copy (create table … as select): ${seconds(copy)}, median of ${copies.map(seconds).join(", ")} → adoption is ${ratio(median(adoptions) / copy)} a copy`,
  );
  // How far the ratio moves from cycle to cycle on this machine.
  console.log(
    `  per cycle, each adoption against the copy just before it: ${adoptions.map((a, i) => ratio(a / copies[i])).join(", ")}`,
  );
  console.log(
    `Revert, verification included: ${seconds(median(reverts))}, median of ${reverts.map(seconds).join(", ")} (${ratio(median(reverts) / copy)} a copy)`,
  );
  console.log(
    `\nA writer through each adoption (every 10 ms, four tables): longest wait ${waits.map((w) => ms(w.longest)).join(", ")} (target < 1 s); the lock window (its two transactions' steps) ${waits.map((w) => ms(w.window)).join(", ")}; ${waits.map((w) => w.statements).join(", ")} statements; longest wait / adoption: ${ratio(median(waits.map((w) => w.longest)) / median(adoptions))}`,
  );
  console.log(
    `Plan of a 500-table schema: ${ms(planWide)} (target < 2 s); of the 32-table sample: ${ms(planApp)}; per table, 500 against 32: ${ratio(planWide / 500 / (planApp / 32))}`,
  );
  console.log(`\nAdoption steps (cycle 1):`);
  for (const s of steps) console.log(`  ${s.step.padEnd(34)} ${String(s.ms).padStart(6)} ms`);
  console.log(
    `\nQueries through withTenant as ${LEGACY_CUSTOMER_ID}, before → after adoption (target ≤ 1.10×):`,
  );
  for (const [i, q] of QUERIES.entries()) {
    const { before, after } = queries[i];
    console.log(
      `  ${q.name.padEnd(44)} p50 ${ms(before.p50)} → ${ms(after.p50)} (${ratio(after.p50 / before.p50)})   p95 ${ms(before.p95)} → ${ms(after.p95)} (${ratio(after.p95 / before.p95)})`,
    );
  }
});
