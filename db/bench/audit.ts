// npm run bench:audit — the cost of the hash chain, and the CSV export at a million events.
// (1) Audit inserts through withTenant into control.audit_events, with the sequencer sealing
//     the chains every 200 ms as the server does, against an unchained copy of the table, in
//     alternating rounds (BENCH_ROUNDS, 6) — 1 writer, 16 writers for 16 customers, and 16
//     writers for one customer (one chain): throughput ratio chained / plain over all rounds and
//     the rounds' spread (target ≥ 0.6 for one chain); how long after a round's last insert
//     every event was sealed; and that every chain verifies.
// (2) The streamed CSV export of 1 000 000 events: rows/s and peak memory (target < 200 MB).
// (3) The viewer at that size: a page of the platform's log (the first, and the 200th, reached
//     by its cursor) and the first of one customer's trail, p50/p95, against counting every
//     event, which each page view did before the viewer paged by keyset, timed in the same run.
// (4) The usage snapshot's last activity and audited actions in 30 days per customer over
//     1 000 000 more events of 1 000 customers: over every event (before) against the chains'
//     heads and the sealer's counts per day (now).
import { sql, type SQL } from "drizzle-orm";
import { verifyAuditChain } from "../../lib/audit/chain";
import { auditCsvChunks } from "../../lib/audit/export";
import { sealAuditEvents } from "../../lib/audit/seal";
import { listAuditEvents } from "../../lib/audit/queries";
import { auditFilterSchema } from "../../lib/audit/schemas";
import { generateCustomerId } from "../../lib/customers/ids";
import { actionsSince, LAST_ACTIVITY } from "../../lib/usage/snapshot";
import { withSystem, withTenant } from "../tenant";
import { withBenchDatabase } from "./database";
import { ms, ratio, summarize, timed } from "./stats";

const INSERTS = Number(process.env.BENCH_INSERTS ?? 4_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);

await withBenchDatabase("audit", { owner: 2, app: 16 }, async ({ owner }) => {
  const tenants = Array.from({ length: 16 }, generateCustomerId);
  await owner.query(
    "insert into control.customers (id, name, contact_email) select t, 'Bench ' || t, 'b@example.com' from unnest($1::text[]) t",
    [tenants],
  );
  await owner.query(`
    create table control.audit_events_plain (like control.audit_events including defaults including identity);
    grant insert on control.audit_events_plain to tenantry_tenant;
    grant usage on all sequences in schema control to tenantry_tenant;`);

  type Table = "audit_events" | "audit_events_plain";
  const TABLES: Table[] = ["audit_events_plain", "audit_events"];
  const insert = (table: Table, tenantId: string, i: number) =>
    withTenant({ tenantId }, (tx) =>
      tx.execute(sql`insert into ${sql.identifier("control")}.${sql.identifier(table)} (tenant_id, actor_email, actor_role, action, outcome, details)
                     values (${tenantId}, 'bench@tenantry.example', 'admin', 'bench.insert', 'ok', ${JSON.stringify({ i })}::jsonb)`),
    );
  const throughput = async (table: Table, writers: number, customers: number) => {
    let next = 0;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        while (next < INSERTS) await insert(table, tenants[w % customers], next++);
      }),
    );
    return INSERTS / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  // The sequencer, as the server runs it: a pass every 200 ms.
  let sealing = true;
  const sealer = (async () => {
    while (sealing) {
      await sealAuditEvents();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const unsealed = async () =>
    Number(
      (await owner.query("select count(*) from control.audit_events where hash is null")).rows[0]
        .count,
    );
  console.log(
    `Audit inserts (${INSERTS} a round, ${ROUNDS} rounds, each insert its own transaction, sealed in batches vs an unchained copy)`,
  );
  for (const [label, writers, customers] of [
    ["1 writer", 1, 1],
    ["16 writers, 16 customers", 16, 16],
    ["16 writers, one customer", 16, 1],
  ] as const) {
    await throughput("audit_events_plain", writers, customers); // warm-up
    // Round by round, each table first in turn, so neither gains from the other's warm-up; after
    // each chained round the sequencer finishes sealing before the next round is timed.
    const rates: Record<Table, number>[] = [];
    let [pending, lag] = [0, 0];
    for (let round = 0; round < ROUNDS; round++) {
      const rate = {} as Record<Table, number>;
      for (const table of round % 2 ? ([...TABLES].reverse() as Table[]) : TABLES) {
        rate[table] = await throughput(table, writers, customers);
        if (table !== "audit_events") continue;
        const start = process.hrtime.bigint();
        pending = Math.max(pending, await unsealed());
        while ((await unsealed()) > 0) await new Promise((resolve) => setTimeout(resolve, 10));
        lag = Math.max(lag, Number(process.hrtime.bigint() - start) / 1e6);
      }
      rates.push(rate);
    }
    // Rates over the same number of inserts: the ratio of the means of their times.
    const seconds = (table: Table) => rates.reduce((sum, r) => sum + 1 / r[table], 0);
    const [plain, chained] = [
      ROUNDS / seconds("audit_events_plain"),
      ROUNDS / seconds("audit_events"),
    ];
    const each = rates.map((r) => r.audit_events / r.audit_events_plain);
    console.log(
      `  ${label.padEnd(26)} plain ${plain.toFixed(0)}/s, chained ${chained.toFixed(0)}/s, ratio ${ratio(chained / plain)} ` +
        `(rounds ${ratio(Math.min(...each))}–${ratio(Math.max(...each))}; target ≥ 0.60); ` +
        `at most ${pending} unsealed at a round's last insert, all sealed at most ${lag.toFixed(0)} ms later`,
    );
  }
  sealing = false;
  await sealer;
  const report = await verifyAuditChain();
  console.log(
    `  every chain verifies: ${report.ok} (${report.ok ? report.events : report.reason} events)`,
  );

  console.log(
    `\nLoading ${EVENTS.toLocaleString("en")} events for the export (left unsealed: the export does not read the chain) …`,
  );
  await owner.query(
    `insert into control.audit_events (at, actor_email, actor_role, action, target_type, target_id, outcome, details, ip, user_agent)
     select now() - g * interval '1 second', 'user' || (g % 5000) || '@example.com', 'admin',
            (array['users.list','invites.create','customers.edit','switches.start'])[1 + g % 4], 'user', md5(g::text),
            (array['ok','ok','ok','denied'])[1 + g % 4], jsonb_build_object('before', jsonb_build_object('role', 'member'), 'after', jsonb_build_object('role', 'admin'), 'n', g),
            '203.0.113.' || (g % 255), 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156'
       from generate_series(1, $1::int) g`,
    [EVENTS],
  );
  await owner.query("vacuum analyze control.audit_events");

  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  let bytes = 0;
  const start = process.hrtime.bigint();
  // Discarded: the bench measures producing the CSV, not a client's download speed.
  let rows = 0;
  for await (const chunk of auditCsvChunks(
    (fn) => withSystem("bench", fn, { readOnly: true }),
    auditFilterSchema.parse({}),
    undefined,
  )) {
    bytes += Buffer.byteLength(chunk.text);
    rows += chunk.rows;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    `CSV export: ${rows.toLocaleString("en")} rows, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s = ${(rows / seconds).toFixed(0)} rows/s`,
  );
  console.log(
    `  peak memory (RSS) ${(peak / 1e6).toFixed(0)} MB, ${((peak - baseline) / 1e6).toFixed(0)} MB above the start (target < 200 MB)`,
  );

  console.log(`\n(3) the audit viewer at ${EVENTS.toLocaleString("en")} events and more`);
  const view = (query: Record<string, string>, tenantId?: string) =>
    withSystem(
      "bench",
      (tx) => listAuditEvents(tx, auditFilterSchema.parse({ size: "50", ...query }), tenantId),
      { readOnly: true },
    );
  let deep = (await view({})).next!.cursor!;
  for (let page = 2; page < 200; page++) deep = (await view({ cursor: deep })).next!.cursor!;
  const sample = async (fn: () => Promise<unknown>) => {
    await fn();
    const samples: number[] = [];
    for (let i = 0; i < 30; i++) samples.push(await timed(fn));
    return summarize(samples);
  };
  const counted = await sample(() => owner.query("select count(*) from control.audit_events"));
  const pages = {
    "the platform's log, page 1": await sample(() => view({})),
    "the platform's log, page 200": await sample(() => view({ cursor: deep })),
    "a customer's trail, page 1": await sample(() => view({}, tenants[0])),
  };
  console.log(`  counting every event (each page view, before): p50 ${ms(counted.p50)}`);
  for (const [name, p] of Object.entries(pages))
    console.log(
      `  ${name}: p50 ${ms(p.p50)}  p95 ${ms(p.p95)}, ${ratio(p.p95 / counted.p50)} of counting every event`,
    );

  // The usage snapshot's last activity per customer, over EVENTS more events of 1 000 customers,
  // loaded as sealed (the unsealing trigger off for the load) with their chains' heads as the
  // sealer keeps them: the greatest time over every customer's log (before migration 0079)
  // against the heads and the events not sealed yet (now).
  const customers = Array.from({ length: 1000 }, generateCustomerId);
  await owner.query(
    "insert into control.customers (id, name, contact_email) select t, 'Active ' || t, 'a@example.com' from unnest($1::text[]) t",
    [customers],
  );
  await owner.query("alter table control.audit_events disable trigger audit_events_unsealed");
  await owner.query(
    `insert into control.audit_events (tenant_id, at, actor_role, action, outcome, chain_seq, prev_hash, hash)
     select ($2::text[])[1 + g % 1000], now() - g * interval '1 second', 'admin', 'bench.activity', 'ok',
            g, md5((g - 1)::text), md5(g::text)
       from generate_series(1, $1::int) g`,
    [EVENTS, customers],
  );
  await owner.query("alter table control.audit_events enable trigger audit_events_unsealed");
  await owner.query(
    `insert into control.audit_chain (chain, seq, last_hash, last_at)
     select tenant_id, max(chain_seq), max(hash), max(at) from control.audit_events
      where tenant_id = any($1) group by 1`,
    [customers],
  );
  await owner.query(
    `insert into control.audit_daily (day, chain, events)
     select (at at time zone 'UTC')::date, tenant_id, count(*) from control.audit_events
      where tenant_id = any($1) group by 1, 2`,
    [customers],
  );
  // The export's events were left unsealed; the sealer would have sealed them long since.
  await owner.query("alter table control.audit_events disable trigger audit_events_append_only");
  await owner.query(
    "update control.audit_events set chain_seq = 1000000000 + id, prev_hash = 'bench', hash = 'bench' where hash is null",
  );
  await owner.query("alter table control.audit_events enable trigger audit_events_append_only");
  await owner.query("vacuum analyze control.audit_events, control.audit_chain");
  const activity = (query: SQL) =>
    sample(() => withSystem("bench", (tx) => tx.execute(query), { readOnly: true }));
  const overLog = await activity(
    sql`select tenant_id, extract(epoch from max(at))::bigint as value from control.audit_events where tenant_id is not null group by 1`,
  );
  const fromHeads = await activity(LAST_ACTIVITY);
  const since = new Date(Date.now() - 30 * 86_400_000);
  const actionsOverLog = await activity(
    sql`select tenant_id, count(*) as value from control.audit_events where at >= ${since} and tenant_id is not null group by 1`,
  );
  const actionsFromDays = await activity(actionsSince(since));
  console.log(
    `\n(4) the usage snapshot's last activity of ${(customers.length + tenants.length).toLocaleString("en")} customers over ${EVENTS.toLocaleString("en")} of their events:`,
  );
  console.log(`  over every event (before): p50 ${ms(overLog.p50)}  p95 ${ms(overLog.p95)}`);
  console.log(
    `  from the chains' heads and the unsealed events (now): p50 ${ms(fromHeads.p50)}  p95 ${ms(fromHeads.p95)}, ${ratio(fromHeads.p95 / overLog.p95)} of before (p95)`,
  );
  console.log(
    `and their audited actions in 30 days: over every event of the window (before) p50 ${ms(actionsOverLog.p50)}  p95 ${ms(actionsOverLog.p95)}`,
  );
  console.log(
    `  from the sealer's counts per day and the window's first day (now): p50 ${ms(actionsFromDays.p50)}  p95 ${ms(actionsFromDays.p95)}, ${ratio(actionsFromDays.p95 / actionsOverLog.p95)} of before (p95)`,
  );
});
