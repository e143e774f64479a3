// npm run bench:customers — the super-admin's customer list at 1 000 000 customers / 2 000 000
// users (docs/architecture.md §5). Every sort, both ways, under every filter (none, a status,
// a plan, a name prefix, an ID), on the first page and half-way down by cursor, is timed as
// the page reads it (rows, the total counted or estimated), p50/p95, against a primary-key
// lookup timed in the same run; each plan is read, and any sequential scan in it is named. Then
// the overview's figures after a usage snapshot of every customer, a move queue's next customers
// against reading every customer's latest snapshot, a large customer's Users page against the
// query it was before, its open invitations and an invitation's checks against theirs before,
// and the user counts' trigger: single-row membership inserts with it
// against without it.
import { asc, desc, eq, sql } from "drizzle-orm";
import { customerListQueries, listCustomers, SORT_KEYS } from "../../lib/customers/queries";
import { SORTABLE } from "../../lib/customers/list";
import { customerListSchema, type CustomerListParams } from "../../lib/customers/schemas";
import { encodeCursor } from "../../lib/lists/cursor";
import { COUNT_BELOW_ESTIMATE, EXACT_TOTAL_UP_TO } from "../../lib/lists/keyset";
import { queueCandidates } from "../../lib/placement/queue";
import { createInvite } from "../../lib/invites/mutations";
import { listMembers, listPendingInvites } from "../../lib/users/queries";
import { MEMBERS_PER_PAGE } from "../../lib/users/schemas";
import { platformOverview } from "../../lib/usage/queries";
import { takeSnapshot } from "../../lib/usage/snapshot";
import { customers } from "../schema";
import { withSystem, withTenant, type Tx } from "../tenant";
import { withBenchDatabase } from "./database";
import { ms, ratio, summarize, timed } from "./stats";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const USERS = Number(process.env.BENCH_USERS ?? 2 * CUSTOMERS);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100);
const TARGET_P95_MS = 50;

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
            'ops' || g || '@example.com', now() - g * interval '37 seconds'
       from generate_series(1, $1::int) g`,
    [CUSTOMERS],
  );
  await owner.query(
    "insert into control.users (email, display_name) select 'user' || g || '@example.com', 'User ' || g from generate_series(1, $1::int) g",
    [USERS],
  );
  // One statement: the membership trigger turns it into one update per customer.
  await owner.query(
    `with c as (select id, row_number() over (order by id) as n from control.customers),
          u as (select id, row_number() over (order by id) as n from control.users)
     insert into control.memberships (tenant_id, user_id, role)
     select c.id, u.id, case when u.n % 5 = 0 then 'admin' else 'member' end
       from u join c on c.n = 1 + ((u.n * 7919) % $1::int) * ((u.n % 3) + 1) % $1::int`,
    [CUSTOMERS],
  );
  await owner.query("vacuum analyze control.customers, control.users, control.memberships");

  const [{ id: someId }] = (
    await owner.query("select id from control.customers order by id offset $1 limit 1", [
      Math.floor(CUSTOMERS / 2),
    ])
  ).rows;
  const system = <T>(fn: (tx: Tx) => Promise<T>) => withSystem("bench", fn, { readOnly: true });

  // The cursor half-way down a sort, as the list's own Next link would carry it.
  const deep = (sort: CustomerListParams["sort"], dir: "asc" | "desc") =>
    system(async (tx) => {
      const order = dir === "asc" ? asc : desc;
      const [row] = await tx
        .select({ key: SORT_KEYS[sort].text(SORT_KEYS[sort].key), id: customers.id })
        .from(customers)
        .orderBy(order(SORT_KEYS[sort].key), order(customers.id))
        .offset(Math.floor(CUSTOMERS / 2))
        .limit(1);
      const page = Math.floor(CUSTOMERS / 2 / 25) + 2;
      return encodeCursor({ page, towards: "next", sort, dir, key: row.key as string, id: row.id });
    });

  const filters: [string, Record<string, string>][] = [
    ["all", {}],
    ["suspended", { status: "suspended" }],
    ["business", { plan: "business" }],
    ["'falcon ga'", { q: "falcon ga" }],
    ["ID", { q: someId }],
  ];
  const cases: [string, CustomerListParams][] = [];
  for (const sort of SORTABLE) {
    for (const dir of ["asc", "desc"] as const) {
      for (const [label, filter] of filters) {
        cases.push([
          `${label}, ${sort} ${dir}`,
          customerListSchema.parse({ ...filter, sort, dir }),
        ]);
      }
      const cursor = await deep(sort, dir);
      cases.push([
        `all, ${sort} ${dir}, ${(CUSTOMERS / 2).toLocaleString("en")} deep`,
        customerListSchema.parse({ sort, dir, cursor }),
      ]);
    }
  }

  const lookup = () => system((tx) => tx.select().from(customers).where(eq(customers.id, someId)));
  const baseline: number[] = [];
  const results: { label: string; p50: number; p95: number; seq: string[]; total: string }[] = [];
  for (const [label, params] of cases) {
    for (let i = 0; i < 5; i++) await system((tx) => listCustomers(tx, params)); // warm-up
    const samples: number[] = [];
    let total = "";
    let counted = true;
    for (let i = 0; i < SAMPLES; i++) {
      samples.push(
        await timed(async () => {
          const list = await system((tx) => listCustomers(tx, params));
          total = `${list.total.exact ? "" : "~"}${list.total.count}`;
          counted = list.total.exact || list.total.count <= COUNT_BELOW_ESTIMATE;
        }),
      );
      baseline.push(await timed(lookup));
    }
    const s = summarize(samples);
    results.push({ label, p50: s.p50, p95: s.p95, seq: await seqScans(params, counted), total });
  }
  const pk = summarize(baseline);
  console.log(`\nprimary-key lookup (same path): p50 ${ms(pk.p50)}  p95 ${ms(pk.p95)}`);
  console.log(
    `(totals above ${EXACT_TOTAL_UP_TO} are the planner's estimate, shown ~; above ${COUNT_BELOW_ESTIMATE} estimated, nothing is counted)\n`,
  );
  console.log(
    "page".padEnd(34) +
      "total".padStart(10) +
      "p50".padStart(12) +
      "p95".padStart(12) +
      "  p95 / pk p95   seq scans",
  );
  for (const r of results) {
    console.log(
      r.label.padEnd(34) +
        r.total.padStart(10) +
        ms(r.p50).padStart(12) +
        ms(r.p95).padStart(12) +
        `  ${ratio(r.p95 / pk.p95).padStart(12)}   ${r.seq.length ? r.seq.join(", ") : "none"}`,
    );
  }
  const worst = results.reduce((a, b) => (b.p95 > a.p95 ? b : a));
  const scanning = results.filter((r) => r.seq.length).length;
  console.log(
    `\n${results.length} pages: slowest p95 ${ms(worst.p95)} (${worst.label}), target < ${TARGET_P95_MS} ms; ` +
      `${scanning} with a sequential scan`,
  );

  // The overview at this size: one usage snapshot of every customer (timed), then the
  // overview's reads (customers by status and plan, the latest run's summary, growth) against
  // the same primary-key lookup.
  const snapshotRun = async () => {
    let changed = 0;
    const elapsed = await timed(async () => {
      const run = await takeSnapshot("command");
      if (run.skipped) throw new Error("the snapshot skipped");
      changed = run.changed;
    });
    return { elapsed, changed };
  };
  const first = await snapshotRun();
  const snapshot = first.elapsed;
  // The next run, after 1 % of the customers did something: it writes only theirs.
  await owner.query(
    `insert into control.audit_events (tenant_id, action, outcome)
     select id, 'bench.touch', 'ok' from control.customers order by id limit $1`,
    [Math.ceil(CUSTOMERS / 100)],
  );
  const next = await snapshotRun();
  const overview: number[] = [];
  for (let i = 0; i < 5; i++) await system((tx) => platformOverview(tx, 1_000_000));
  for (let i = 0; i < Math.min(SAMPLES, 50); i++)
    overview.push(await timed(() => system((tx) => platformOverview(tx, 1_000_000))));
  const o = summarize(overview);
  console.log(
    `\nusage snapshot of ${CUSTOMERS.toLocaleString("en")} customers: ${ms(snapshot)}, ${first.changed.toLocaleString("en")} rows written; ` +
      `the next, after 1 % of them did something: ${ms(next.elapsed)} (${ratio(next.elapsed / snapshot)}), ${next.changed.toLocaleString("en")} rows written; ` +
      `the overview's figures: p50 ${ms(o.p50)}  p95 ${ms(o.p95)} (target < 200 ms), ${ratio(o.p95 / pk.p95)} the lookup`,
  );

  // A move queue's next customers: 20 of them grown past its threshold in a later snapshot, found
  // through usage_sizes' index, against reading every customer's latest snapshot (before).
  // (With no data plane here, the snapshot has no rows.total metric of its own.)
  await owner.query(
    `insert into control.usage_metrics (id, name)
     select coalesce(max(id), 0) + 1, 'rows.total' from control.usage_metrics
     having not bool_or(name = 'rows.total') or count(*) = 0`,
  );
  await owner.query(`
    with big as (select id, 2000000 + row_number() over (order by id) as rows
                   from control.customers order by id limit 20),
    snapshots as (
      insert into control.usage_snapshots (run_id, tenant_id, taken_at, figures)
      select '00000000-0000-4000-8000-000000000020', big.id, now(), array_fill(null::bigint, array[m.id - 1]) || big.rows
        from big cross join (select id from control.usage_metrics where name = 'rows.total') m)
    insert into control.usage_sizes (tenant_id, taken_at, rows)
    select id, now(), rows from big
    on conflict (tenant_id) do update set taken_at = excluded.taken_at, rows = excluded.rows`);
  await owner.query("analyze control.usage_sizes"); // as autovacuum does after the first snapshot
  const queue = { target: "dedicated", thresholdRows: 1_000_000 };
  const probed = async () =>
    system((tx) =>
      tx.execute(sql`
        select c.id, s.rows from control.customers c
          join control.databases d on d.name = c.database and d.kind = 'shared'
          join lateral (select x.figures[(select id from control.usage_metrics where name = 'rows.total')] as rows
                          from control.usage_snapshots x
                         where x.tenant_id = c.id order by x.taken_at desc limit 1) s on true
         where c.database <> ${queue.target} and s.rows >= ${queue.thresholdRows}
           and c.status not in ('erased', 'deleted')
           and not exists (select 1 from control.moves m where m.tenant_id = c.id and m.status = 'running')
         order by s.rows, c.id limit 10`),
    );
  const [found, before] = [await system((tx) => queueCandidates(tx, queue, 10)), await probed()];
  if (found.length !== 10 || before.rows.length !== 10)
    throw new Error(`the queue found ${found.length} and the probe ${before.rows.length}, not 10`);
  const probes: number[] = [];
  for (let i = 0; i < 3; i++) probes.push(await timed(probed));
  const candidates: number[] = [];
  for (let i = 0; i < Math.min(SAMPLES, 50); i++)
    candidates.push(await timed(() => system((tx) => queueCandidates(tx, queue, 10))));
  const [b, q] = [summarize(probes), summarize(candidates)];
  console.log(
    `
a move queue's next 10 customers: p50 ${ms(q.p50)}  p95 ${ms(q.p95)}; ` +
      `reading every customer's latest snapshot (before): p50 ${ms(b.p50)}, ${(b.p50 / q.p95).toFixed(0)} times the new p95`,
  );

  // A large customer's Users page: a tenth of the users moved to one customer, its first page
  // and one half-way down by cursor, and a small customer's first page, against the page as it
  // was read before (ordered by email and id, which sorts every one of the customer's users) and
  // as it was first keyed (by lower(email)); all through the customer's door, as its admin reads.
  const { rows: big } = await owner.query<{ id: string }>(
    "select id from control.customers order by id limit 2",
  );
  const [large, small] = big.map((r) => r.id);
  await owner.query(
    "update control.memberships set tenant_id = $1 where user_id in (select id from control.users order by id limit $2)",
    [large, Math.floor(USERS / 10)],
  );
  await owner.query("vacuum analyze control.memberships");
  const { rows: middle } = await owner.query<{ email: string }>(
    `select u.email_key as email from control.memberships m join control.users u on u.id = m.user_id
      where m.tenant_id = $1 order by 1 offset $2 limit 1`,
    [large, Math.floor(USERS / 20)],
  );
  // Each read through the customer's own door, as its admin's page reads it (read-only); an
  // invitation, below, writes there.
  const asAdminOf = <T>(tenantId: string, work: (tx: Tx) => Promise<T>, readOnly = true) =>
    withTenant({ tenantId }, work, { readOnly });
  const membersBefore = (tenantId: string) =>
    asAdminOf(tenantId, (tx) =>
      tx.execute(sql`select u.id, u.email from control.memberships m join control.users u on u.id = m.user_id
                      where m.tenant_id = ${tenantId} order by u.email, u.id limit ${MEMBERS_PER_PAGE + 1}`),
    );
  // The keyset as it was first built: on lower(email), which is not leakproof, so under the
  // customer's policies its index gives the order but not the start.
  const membersByLower = (tenantId: string, email?: string) =>
    asAdminOf(tenantId, (tx) =>
      tx.execute(sql`select u.id, u.email from control.memberships m join control.users u on u.id = m.user_id
                      where m.tenant_id = ${tenantId} and ${email ? sql`lower(u.email) > ${email}` : sql`true`}
                      order by lower(u.email) limit ${MEMBERS_PER_PAGE + 1}`),
    );
  const members = (tenantId: string, email?: string) =>
    asAdminOf(tenantId, (tx) =>
      listMembers(tx, tenantId, email ? { page: 2, towards: "next", email } : undefined),
    );
  const timedPages = async (read: () => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await timed(read));
    return summarize(samples);
  };
  // Each read before the users' policy probed memberships user by user (migration 0075) under
  // the policy as it was then, an `exists` the planner hashed from all the customer's memberships.
  const [{ qual: perUser }] = (
    await owner.query<{ qual: string }>(
      "select qual from pg_policies where schemaname = 'control' and policyname = 'users_visible_through_membership'",
    )
  ).rows;
  const usersPolicy = (using: string) =>
    owner.query(`alter policy users_visible_through_membership on control.users using (${using})`);
  await usersPolicy("exists (select 1 from control.memberships m where m.user_id = users.id)");
  const old = await timedPages(() => membersBefore(large));
  console.log(
    `
Users page of a customer with ${Math.floor(USERS / 10)} users (of ${USERS}), in its own door, as before: p50 ${ms(old.p50)}  p95 ${ms(old.p95)}`,
  );
  await owner.query("create unique index bench_users_lower_email on control.users (lower(email))");
  for (const [label, read] of [
    ["by lower(email), the first page", () => membersByLower(large)],
    ["by lower(email), half-way down", () => membersByLower(large, middle[0].email)],
  ] as const) {
    const p = await timedPages(read);
    console.log(
      `  ${label}: p50 ${ms(p.p50)}  p95 ${ms(p.p95)}; ${ratio(p.p95 / old.p95)} of before (p95)`,
    );
  }
  await owner.query("drop index control.bench_users_lower_email");
  const pages = [
    ["the first page", () => members(large)],
    ["a page half-way down, by cursor", () => members(large, middle[0].email)],
    ["a small customer's first page", () => members(small)],
  ] as const;
  const hashed = [];
  for (const [label, read] of pages) {
    const p = await timedPages(read);
    hashed.push(p);
    console.log(
      `  by email_key, ${label}, its policy hashing memberships: p50 ${ms(p.p50)}  p95 ${ms(p.p95)}; ${ratio(p.p95 / old.p95)} of before (p95)`,
    );
  }
  await usersPolicy(perUser);
  for (const [index, [label, read]] of pages.entries()) {
    const p = await timedPages(read);
    console.log(
      `  by email_key, ${label}, its policy probing per user: p50 ${ms(p.p50)}  p95 ${ms(p.p95)}; ${ratio(p.p95 / old.p95)} of before, ${ratio(p.p95 / hashed[index].p95)} of hashing (p95)`,
    );
  }

  // The same customer's invitations: one accepted for each of its users, and OPEN_INVITES open
  // and as many expired. Its open invitations' page and an invitation's checks (already a
  // user, already invited, the plan's quota), timed as they were read before (every open one
  // sorted; the customer's memberships counted and its whole history of invitations read,
  // without the open invitations' indexes) and as they are now.
  const OPEN_INVITES = Math.floor(USERS / 100);
  await owner.query(
    `insert into control.invites (tenant_id, email, role, token_hash, created_at, expires_at, accepted_at)
     select m.tenant_id, u.email, 'member', md5(u.email), now() - interval '30 days', now() - interval '27 days', now() - interval '29 days'
       from control.memberships m join control.users u on u.id = m.user_id where m.tenant_id = $1`,
    [large],
  );
  await owner.query(
    `insert into control.invites (tenant_id, email, role, token_hash, created_at, expires_at)
     select $1, 'open' || g || '@example.com', 'member', md5('open' || g), now() - g * interval '1 second',
            now() + interval '72 hours' - g * interval '1 second' - case when g % 2 = 0 then interval '100 days' else interval '0' end
       from generate_series(1, $2::int * 2) g`,
    [large, OPEN_INVITES],
  );
  await owner.query(
    `update control.customers set quota_overrides = '{"maxUsers": 10000000}' where id = $1`,
    [large],
  );
  await owner.query("vacuum analyze control.invites");
  const OPEN_INDEXES = ["invites_open_expires_idx", "invites_open_email_idx"];
  const { rows: indexes } = await owner.query<{ name: string; definition: string }>(
    "select indexname as name, indexdef as definition from pg_indexes where indexname = any($1)",
    [OPEN_INDEXES],
  );
  let invited = 0;
  const inviteBefore = () =>
    asAdminOf(
      large,
      async (tx) => {
        const email = `before${invited++}@example.com`;
        await tx.execute(sql`select u.id from control.memberships m join control.users u on u.id = m.user_id
                            where m.tenant_id = ${large} and lower(u.email) = ${email}`);
        await tx.execute(sql`select id from control.invites where tenant_id = ${large} and email = ${email}
                            and accepted_at is null and revoked_at is null and expires_at > now()`);
        await tx.execute(sql`select p.max_users, c.quota_overrides from control.customers c
                            join control.plans p on p.name = c.plan where c.id = ${large}`);
        await tx.execute(sql`
        select (select count(*)::int from control.memberships m where m.tenant_id = ${large})
             + (select count(*)::int from control.invites i where i.tenant_id = ${large}
                  and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()) as taken`);
        await tx.execute(sql`insert into control.invites (tenant_id, email, role, token_hash, expires_at)
                            values (${large}, ${email}, 'member', md5(${email}), now() + interval '72 hours')`);
      },
      false,
    );
  const inviteNow = () =>
    asAdminOf(
      large,
      (tx) =>
        createInvite(tx, {
          tenantId: large,
          email: `now${invited++}@example.com`,
          role: "member",
          invitedBy: null,
        }),
      false,
    );
  const invitesBefore = () =>
    asAdminOf(large, (tx) =>
      tx.execute(sql`select id, email, role, created_at, expires_at from control.invites
                      where tenant_id = ${large} and accepted_at is null and revoked_at is null
                        and expires_at > now() order by created_at desc`),
    );
  const invitesNow = () => asAdminOf(large, (tx) => listPendingInvites(tx, large, new Date()));
  for (const { name } of indexes) await owner.query(`drop index control.${name}`);
  const was = { page: await timedPages(invitesBefore), invite: await timedPages(inviteBefore) };
  for (const { definition } of indexes) await owner.query(definition);
  await owner.query("analyze control.invites");
  const is = { page: await timedPages(invitesNow), invite: await timedPages(inviteNow) };
  console.log(`
the same customer's invitations (${USERS / 10} accepted, ${OPEN_INVITES} open, ${OPEN_INVITES} expired):`);
  for (const [label, before, now] of [
    ["its open invitations' page", was.page, is.page],
    ["an invitation (its checks and insert)", was.invite, is.invite],
  ] as const) {
    console.log(
      `  ${label}: before p50 ${ms(before.p50)}  p95 ${ms(before.p95)}; now p50 ${ms(now.p50)}  p95 ${ms(now.p95)}, ${ratio(now.p95 / before.p95)} of before (p95)`,
    );
  }

  // The user counts' write cost: single-row membership inserts, as invitations make them, in
  // alternating rounds with the counting triggers on and off.
  const ROUND = 500;
  const on: number[] = [];
  const off: number[] = [];
  const { rows: spare } = await owner.query<{ id: string }>(
    "insert into control.users (email, display_name) select 'spare' || g || '@example.com', 'Spare' from generate_series(1, $1::int) g returning id",
    [ROUND * 8],
  );
  const { rows: targets } = await owner.query<{ id: string }>(
    "select id from control.customers order by id limit 1000",
  );
  for (let round = 0; round < 8; round++) {
    const counting = round % 2 === 0;
    await owner.query(
      `alter table control.memberships ${counting ? "enable" : "disable"} trigger memberships_count_insert`,
    );
    const batch = spare.slice(round * ROUND, (round + 1) * ROUND);
    const elapsed = await timed(async () => {
      for (const [i, { id }] of batch.entries()) {
        await owner.query(
          "insert into control.memberships (tenant_id, user_id, role) values ($1, $2, 'member')",
          [targets[(i * 7919) % targets.length].id, id],
        );
      }
    });
    (counting ? on : off).push(elapsed / ROUND);
  }
  await owner.query("alter table control.memberships enable trigger memberships_count_insert");
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `\nmembership insert: with the count trigger ${ms(mean(on))}, without ${ms(mean(off))}: ` +
      `${ratio(mean(on) / mean(off))} (target ≤ 1.05×)`,
  );
});

/** The tables a page's statements scan sequentially, from their plans (the count's if it ran). */
async function seqScans(params: CustomerListParams, counted: boolean): Promise<string[]> {
  const plans = await withSystem("bench", async (tx) => {
    const q = customerListQueries(tx, params);
    const text: string[] = [];
    for (const query of counted ? [q.rows, q.total] : [q.rows]) {
      const { sql: statement, params: values } = query.toSQL();
      const explained = await tx.execute(
        sql.raw(
          `explain ${statement.replace(/\$(\d+)/g, (_, n) => literal(values[Number(n) - 1]))}`,
        ),
      );
      text.push(explained.rows.map((r) => String(r["QUERY PLAN"])).join("\n"));
    }
    return text.join("\n");
  });
  if (process.env.BENCH_PLANS === "1") console.log(plans);
  return [...plans.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]);
}

/** For EXPLAIN only: the bench's own values, quoted as literals. */
function literal(value: unknown): string {
  if (typeof value === "number") return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
}
