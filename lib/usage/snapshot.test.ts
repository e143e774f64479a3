import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { usageSnapshots } from "@/db/schema";
import { withPlatform, withTenant } from "@/db/tenant";
import { figuresAsOf, insertCustomers, insertUser, freshTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { latestFigures, platformOverview } from "./queries";
import { takeSnapshot } from "./snapshot";
import { snapshotTaken } from "./test/snapshot";

const db = freshTestDatabase();
const [A, B, EMPTY] = [generateCustomerId(), generateCustomerId(), generateCustomerId()];
const NOW = new Date();

const figures = (runId: string, tenantId: string) => figuresAsOf(db.owner, runId, tenantId);

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B, EMPTY]);
  for (let i = 0; i < 3; i++) await insertUser(db.owner, { email: `u${i}@a.example`, tenantId: A });
  await insertUser(db.owner, { email: "u0@b.example", tenantId: B });
  // Sign-ins: two of A's users in the window (one twice), one long ago; B's user once.
  await db.owner.query(
    `insert into control.sign_in_attempts (email, ip, succeeded, at) values
       ('u0@a.example', '10.0.0.1', true, now() - interval '1 day'),
       ('u0@a.example', '10.0.0.1', true, now() - interval '2 days'),
       ('u1@a.example', '10.0.0.1', true, now() - interval '3 days'),
       ('u2@a.example', '10.0.0.1', true, now() - interval '60 days'),
       ('u2@a.example', '10.0.0.1', false, now()),
       ('u0@b.example', '10.0.0.2', true, now())`,
  );
  await db.owner.query(
    `insert into control.audit_events (tenant_id, action, outcome, at) values
       ($1, 'x', 'ok', now() - interval '1 hour'), ($1, 'y', 'ok', now() - interval '45 days'), ($2, 'z', 'denied', now())`,
    [A, B],
  );
  // A data-plane table as adoption leaves it: tenant_id, RLS forced, readable by the platform.
  await db.owner.query(`
    create schema app;
    create table app.orders (tenant_id text not null, id int, note text, primary key (tenant_id, id));
    alter table app.orders enable row level security;
    alter table app.orders force row level security;
    create policy orders_tenant on app.orders
      using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')))
      with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')));
    grant usage on schema app to tenantry_tenant, tenantry_platform;
    grant select on app.orders to tenantry_tenant, tenantry_platform;
    create table app.not_scoped (tenant_id text, v int);`);
  await db.owner.query(
    "insert into app.orders select $1, g, repeat('x', 100) from generate_series(1, 40) g union all select $2, g, repeat('x', 100) from generate_series(1, 10) g",
    [A, B],
  );
});

describe("the usage snapshot", () => {
  it("gives exactly the known figures per customer, zeros for one with nothing", async () => {
    const run = await snapshotTaken("command", NOW);
    expect(run).toMatchObject({ customers: 3, scopedTables: 1 });
    const a = await figures(run.runId, A);
    expect(a).toMatchObject({
      "users.total": 3,
      "users.active30": 2,
      "signins.30d": 3,
      "actions.30d": 1,
      "rows.app.orders": 40,
      "rows.total": 40,
    });
    expect(a["activity.last"]).toBeGreaterThan(NOW.getTime() / 1000 - 7200);
    const b = await figures(run.runId, B);
    expect(b).toMatchObject({
      "users.total": 1,
      "users.active30": 1,
      "signins.30d": 1,
      "actions.30d": 1,
      "rows.total": 10,
    });
    // Storage is shared out by rows: A holds four times B's share.
    expect(a["storage.bytes"]).toBeGreaterThan(0);
    expect(Math.round(a["storage.bytes"] / b["storage.bytes"])).toBe(4);
    expect(await figures(run.runId, EMPTY)).toEqual({
      "activity.last": 0,
      "actions.30d": 0,
      "rows.app.orders": 0,
      "rows.total": 0,
      "signins.30d": 0,
      "storage.bytes": 0,
      "users.active30": 0,
      "users.total": 0,
    });
    // The direct count agrees with the snapshot.
    const direct = await db.owner.query(
      "select count(*)::int as n from app.orders where tenant_id = $1",
      [A],
    );
    expect(direct.rows[0].n).toBe(a["rows.app.orders"]);
  });

  it("keeps each metric in its place across runs: a table scoped later adds one, a dropped one leaves it empty", async () => {
    const first = await snapshotTaken("command");
    await db.owner.query(`
      create table app.items (tenant_id text not null, id int, primary key (tenant_id, id));
      alter table app.items enable row level security;
      alter table app.items force row level security;
      create policy items_tenant on app.items
        using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')));
      grant select on app.items to tenantry_tenant, tenantry_platform;`);
    await db.owner.query("insert into app.items select $1, g from generate_series(1, 7) g", [B]);
    const second = await snapshotTaken("command");
    await db.owner.query("drop table app.items");
    const third = await snapshotTaken("command");
    expect(await figures(first.runId, B)).not.toHaveProperty("rows.app.items");
    expect(await figures(second.runId, B)).toMatchObject({ "rows.app.items": 7, "rows.total": 17 });
    expect(await figures(second.runId, A)).toMatchObject({ "rows.app.items": 0, "rows.total": 40 });
    expect(await figures(third.runId, B)).not.toHaveProperty("rows.app.items");
    expect(await figures(third.runId, B)).toMatchObject({ "rows.total": 10 });
    // Each figure takes its 8 bytes and a name is stored once, not in every row.
    const { rows } = await db.owner.query<{ bytes: number; places: number }>(
      `select pg_column_size(figures) as bytes, cardinality(figures) as places
         from control.usage_snapshots where run_id = $1 and tenant_id = $2`,
      [second.runId, B],
    );
    expect(rows[0].places).toBe(9);
    expect(rows[0].bytes).toBeLessThanOrEqual(9 * 8 + 24);
  });

  it("writes only the customers whose figures changed, and reads every one's as of the latest run", async () => {
    const before = await snapshotTaken("command");
    const same = await snapshotTaken("command");
    expect(same).toMatchObject({ customers: 3, changed: 0 });
    await db.owner.query(
      "insert into control.audit_events (tenant_id, action, outcome, at) values ($1, 'w', 'ok', now())",
      [EMPTY],
    );
    const after = await snapshotTaken("command");
    expect(after).toMatchObject({ customers: 3, changed: 1 });
    const { rows: written } = await db.owner.query(
      "select tenant_id from control.usage_snapshots where run_id = $1",
      [after.runId],
    );
    expect(written).toEqual([{ tenant_id: EMPTY }]);
    expect(await figures(after.runId, EMPTY)).toMatchObject({ "actions.30d": 1 });
    // A, unchanged: its figures as they were, taken at the latest run, as A reads them.
    const { rows: run } = await db.owner.query<{ started_at: Date; users: string }>(
      "select started_at, summary -> 'totals' ->> 'users.total' as users from control.usage_runs where id = $1",
      [after.runId],
    );
    expect(
      await withTenant({ tenantId: A }, (tx) => latestFigures(tx, A), { readOnly: true }),
    ).toEqual({ takenAt: run[0].started_at, figures: await figures(before.runId, A) });
    // The run's summary counts every customer, not only those it wrote.
    expect(Number(run[0].users)).toBe(4);
  });

  it("keeps each customer's size as its latest row has it, which a run dated earlier leaves alone", async () => {
    const sizes = async () =>
      Object.fromEntries(
        (
          await withPlatform(
            {
              userId: crypto.randomUUID(),
              email: "root@tenantry.example",
              platformRole: "super_admin",
            },
            { action: "test" },
            (tx) =>
              tx.execute<{ tenant_id: string; rows: string | null }>(
                sql`select tenant_id, rows::text from control.usage_sizes where tenant_id in (${A}, ${B}, ${EMPTY})`,
              ),
          )
        ).rows.map((r) => [r.tenant_id, r.rows === null ? null : Number(r.rows)]),
      );
    await snapshotTaken("command");
    expect(await sizes()).toEqual({ [A]: 40, [B]: 10, [EMPTY]: 0 });
    const more = "insert into app.orders select $1, g, 'x' from generate_series(11, 15) g";
    await db.owner.query(more, [B]);
    await snapshotTaken("command");
    expect(await sizes()).toEqual({ [A]: 40, [B]: 15, [EMPTY]: 0 });
    // Back to 10: a run dated an hour ago writes B's row for then, and B's size stays 15.
    await db.owner.query("delete from app.orders where tenant_id = $1 and id > 10", [B]);
    const earlier = await snapshotTaken("command", new Date(Date.now() - 3_600_000));
    expect(await sizes()).toMatchObject({ [B]: 15 });
    await db.owner.query("delete from control.usage_snapshots where run_id = $1", [earlier.runId]);
    await db.owner.query("delete from control.usage_runs where id = $1", [earlier.runId]);
    await snapshotTaken("command");
    expect(await sizes()).toEqual({ [A]: 40, [B]: 10, [EMPTY]: 0 });
    // A customer sees its own size only, and writes none.
    const seen = await withTenant(
      { tenantId: A },
      (tx) => tx.execute<{ tenant_id: string }>(sql`select tenant_id from control.usage_sizes`),
      { readOnly: true },
    );
    expect(seen.rows).toEqual([{ tenant_id: A }]);
    expect(
      await withTenant({ tenantId: A }, (tx) =>
        tx.execute(sql`update control.usage_sizes set rows = 0 where tenant_id = ${B}`),
      ).then(
        () => "written",
        (e: Error) => ((e.cause as Error | undefined) ?? e).message,
      ),
    ).toMatch(/permission denied/);
  });

  it("skips instead of running twice at once", async () => {
    const holder = await db.owner.connect();
    try {
      await holder.query("begin");
      await holder.query("select pg_advisory_xact_lock(hashtext('tenantry.usage-snapshot'))");
      const before = await db.owner.query("select count(*)::int as n from control.usage_snapshots");
      expect(await takeSnapshot("periodic")).toEqual({ skipped: true });
      const after = await db.owner.query("select count(*)::int as n from control.usage_snapshots");
      expect(after.rows[0].n).toBe(before.rows[0].n);
    } finally {
      await holder.query("rollback");
      holder.release();
    }
  });

  it("shows a customer only its own figures, whatever the snapshot table holds", async () => {
    const seen = await withTenant(
      { tenantId: A },
      (tx) => tx.select({ tenantId: usageSnapshots.tenantId }).from(usageSnapshots),
      { readOnly: true },
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen.map((r) => r.tenantId))).toEqual(new Set([A]));
    const probe = await withTenant(
      { tenantId: A },
      (tx) =>
        tx.execute(
          sql`select count(*)::int as n from control.usage_snapshots where tenant_id = ${B}`,
        ),
      {
        readOnly: true,
      },
    );
    expect(probe.rows[0].n).toBe(0);
  });
});

describe("the rollup", () => {
  it("keeps every run for two days, the last of each hour for 90, then the last of each day, and every customer's figures as of each", async () => {
    const at = (daysAgo: number, hour: number, minute: number) => {
      const d = new Date(NOW.getTime() - daysAgo * 86_400_000);
      d.setUTCHours(hour, minute, 0, 0);
      return d;
    };
    // When B's figures change before the run (an audited action).
    const taken: [Date, boolean][] = [
      [at(120, 8, 0), false],
      [at(120, 9, 0), true],
      [at(120, 23, 55), false], // one day, long ago: its last stays
      [at(10, 8, 5), true],
      [at(10, 8, 50), false],
      [at(10, 9, 10), false], // two hours, ten days ago: each hour's last
      [at(1, 8, 5), true],
      [at(1, 8, 10), false],
      [at(1, 8, 15), true], // yesterday: every run
    ];
    const runs: string[] = [];
    const asTaken = new Map<string, Record<string, number>[]>();
    for (const [i, [time, changes]] of taken.entries()) {
      if (changes)
        await db.owner.query(
          "insert into control.audit_events (tenant_id, action, outcome) values ($1, 'rollup', 'ok')",
          [B],
        );
      const run = await snapshotTaken("command", time);
      // The first writes every customer; then a run writes B after its change, and A once, when
      // its 30-day figures move with the window (ten days ago, where the runs before were 120).
      expect(run.changed).toBe([3, 1, 0, 2, 0, 0, 1, 0, 1][i]);
      runs.push(run.runId);
      asTaken.set(run.runId, await Promise.all([A, B, EMPTY].map((c) => figures(run.runId, c))));
    }
    await takeSnapshot("command", NOW);
    const { rows: kept } = await db.owner.query<{ id: string }>(
      "select id from control.usage_runs where id = any($1) order by started_at",
      [runs],
    );
    expect(kept.map((r) => r.id)).toEqual([2, 4, 5, 6, 7, 8].map((i) => runs[i]));
    // Every customer's figures as of each kept run are as that run found them.
    for (const { id } of kept)
      expect(await Promise.all([A, B, EMPTY].map((c) => figures(id, c)))).toEqual(asTaken.get(id));
    // At most one row a customer an hour after two days, a day after 90; none of a run gone.
    const { rows } = await db.owner.query(
      `select
         (select count(*)::int from (select 1 from control.usage_snapshots where taken_at < $1::timestamptz - interval '2 days'
                                      group by tenant_id, date_trunc('hour', taken_at at time zone 'UTC') having count(*) > 1) h) as hours,
         (select count(*)::int from (select 1 from control.usage_snapshots where taken_at < $1::timestamptz - interval '90 days'
                                      group by tenant_id, date_trunc('day', taken_at at time zone 'UTC') having count(*) > 1) d) as days,
         (select count(*)::int from control.usage_snapshots s where not exists (select 1 from control.usage_runs r where r.id = s.run_id)) as orphans`,
      [NOW],
    );
    expect(rows[0]).toEqual({ hours: 0, days: 0, orphans: 0 });
  });
});

describe("the platform overview", () => {
  /** The overview as a super-admin reads it, with a placement threshold of 30 rows. */
  const overview = () =>
    withPlatform(
      { userId: crypto.randomUUID(), email: "root@tenantry.example", platformRole: "super_admin" },
      { action: "t" },
      (tx) => platformOverview(tx, 30),
    );

  it("ranks customers, flags quota pressure and the placement threshold from the latest run", async () => {
    await takeSnapshot("command");
    const o = await overview();
    expect(o.totals["users.total"]).toBe(4);
    expect(o.totals["rows.total"]).toBe(50);
    expect(o.top.rows.map((c) => c.id).slice(0, 2)).toEqual([A, B]);
    // A: 3 users on the Free plan's 3 — at 100 %; B: 1 of 3 is not.
    expect(o.atQuota.map((c) => c.id)).toEqual([A]);
    expect(o.overThreshold.map((c) => [c.id, Number(c.rows)])).toEqual([[A, 40]]);
  });

  it("reads the summary the snapshot kept with its run, and works one out for a run without", async () => {
    const run = await snapshotTaken("command");
    // The run's own rows gone: the overview still has its figures, from the summary.
    await db.owner.query("delete from control.usage_snapshots where run_id = $1", [run.runId]);
    expect((await overview()).totals["users.total"]).toBe(4);
    expect((await overview()).overThreshold.map((c) => c.id)).toEqual([A]);
    // A run kept without one (from before summaries): worked out from its rows, here none.
    await db.owner.query("update control.usage_runs set summary = null where id = $1", [run.runId]);
    expect((await overview()).totals).toEqual({});
  });

  it("counts customers by status now up to 100 000 of them, and above as the latest run did", async () => {
    await snapshotTaken("command");
    const small = await overview();
    expect(small.byStatusAt).toBeNull();
    expect(small.byStatus.reduce((n, r) => n + r.n, 0)).toBe(3);
    await db.owner.query(
      `insert into control.customers (id, name, contact_email, plan)
       select translate(lpad(upper(to_hex(g * 2654435761 % 4294967291)), 9, 'A'), '01', 'XY'), 'Many ' || g, 'm@example.com', 'free'
         from generate_series(1, 100001) g`,
    );
    await db.owner.query("analyze control.customers");
    const large = await overview();
    expect(large.byStatusAt?.getTime()).toBe(small.run!.startedAt.getTime());
    expect(large.byStatus).toEqual(small.byStatus);
  });
});
