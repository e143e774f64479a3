import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { withOwnerClient } from "@/db/owner";
import { CURRENT_TENANT_SQL } from "@/db/schema";
import { withTenant } from "@/db/tenant";
import {
  figuresAsOf,
  insertCustomers,
  insertUser,
  freshTestDatabase,
  refusal,
} from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import {
  COUNTER_TRIGGERS,
  customerRowCounts,
  ensureRowCounters,
  reconcileRowCounts,
  reconcileUserCounts,
} from "./counters";
import { reconcileCounts, reconcileIfDue } from "./reconcile";
import { snapshotTaken } from "./test/snapshot";

const db = freshTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];
const owner = <T>(fn: Parameters<typeof withOwnerClient<T>>[1]) =>
  withOwnerClient(db.database.ownerUrl, fn);

/** Each customer's rows of `table` by the counters, and by counting. */
async function counts(table = "app.items") {
  const read = async (query: string) =>
    Object.fromEntries(
      (await db.owner.query<{ tenant_id: string; n: string }>(query)).rows.map((r) => [
        r.tenant_id,
        Number(r.n),
      ]),
    );
  return {
    counted: await read(
      `select customer_id as tenant_id, sum(n) as n from tally.counts where relid = '${table}'::regclass group by 1 having sum(n) <> 0`,
    ),
    actual: await read(`select tenant_id, count(*) as n from ${table} group by 1`),
  };
}

const asTenant = (tenantId: string, statement: ReturnType<typeof sql>) =>
  withTenant({ tenantId }, (tx) => tx.execute(statement));

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B]);
  await db.owner.query(`
    create schema app;
    create table app.items (tenant_id text not null, id int, note text, primary key (tenant_id, id));
    alter table app.items enable row level security;
    alter table app.items force row level security;
    create policy items_tenant on app.items
      using (tenant_id = ${CURRENT_TENANT_SQL})
      with check (tenant_id = ${CURRENT_TENANT_SQL});
    grant usage on schema app to tenantry_tenant, tenantry_platform;
    grant select, insert, update, delete on app.items to tenantry_tenant, tenantry_platform;`);
  await db.owner.query(
    "insert into app.items select $1, g from generate_series(1, 30) g union all select $2, g from generate_series(1, 7) g",
    [A, B],
  );
});

describe("the row counters", () => {
  it("start from an exact count and follow every kind of write", async () => {
    expect(await owner((c) => ensureRowCounters(c))).toEqual(['"app"."items"']);
    expect(await owner((c) => ensureRowCounters(c))).toEqual([]);
    expect((await counts()).counted).toEqual({ [A]: 30, [B]: 7 });

    await asTenant(A, sql`insert into app.items select ${A}, g from generate_series(31, 40) g`);
    await asTenant(A, sql`delete from app.items where id <= 5`);
    await asTenant(B, sql`insert into app.items values (${B}, 100)`);
    await asTenant(B, sql`update app.items set note = 'x'`);
    // Only the owner can change a row's customer; the counts follow it.
    await db.owner.query("update app.items set tenant_id = $2 where tenant_id = $1 and id = 40", [
      A,
      B,
    ]);
    // Nor does a rolled-back statement count.
    await expect(
      withTenant({ tenantId: A }, async (tx) => {
        await tx.execute(sql`insert into app.items values (${A}, 500)`);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    const { counted, actual } = await counts();
    expect(counted).toEqual({ [A]: 34, [B]: 9 });
    expect(counted).toEqual(actual);
  });

  it("keep a customer's statements from touching the other's counts or the counts table", async () => {
    const before = await counts();
    // A's statement aimed at B's rows changes nothing of B's (RLS), so nothing of B's count.
    await asTenant(A, sql`delete from app.items where tenant_id = ${B}`);
    expect(await refusal(asTenant(A, sql`insert into app.items values (${B}, 900)`))).toMatch(
      /row-level security/,
    );
    expect((await counts()).counted[B]).toBe(before.counted[B]);
    // The counts are no customer's to read or write, or to fold.
    for (const statement of [
      sql`select * from tally.row_counts`,
      sql`select * from tally.row_totals`,
      sql`select * from tally.counts`,
      sql`insert into tally.row_counts values ('app.items'::regclass, ${B}, 1000)`,
      sql`update tally.row_totals set n = 0`,
      sql`select tally.compact()`,
    ])
      expect(await refusal(asTenant(A, statement))).toMatch(/permission denied/);
    expect(await counts()).toEqual(before);
  });

  it("let writers of one customer go side by side (no shared counter row)", async () => {
    const held = await db.app.connect();
    try {
      await held.query("begin");
      await held.query(
        "select set_config('app.tenant_id', $1, true), set_config('role', 'tenantry_tenant', true)",
        [A],
      );
      await held.query("insert into app.items values ($1, 1000)", [A]);
      // Another of A's writes commits while the first is still open.
      await asTenant(A, sql`insert into app.items values (${A}, 1001)`);
      await held.query("commit");
    } finally {
      held.release();
    }
    const { counted, actual } = await counts();
    expect(counted).toEqual(actual);
  });

  it("fold into one total per customer and table, with the same sums", async () => {
    const before = (await counts()).counted;
    await db.owner.query("select tally.compact()");
    const { rows } = await db.owner.query(
      "select customer_id, count(*)::int as n from tally.row_totals group by 1",
    );
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const appended = await db.owner.query("select count(*)::int as n from tally.row_counts");
    expect(appended.rows[0].n).toBe(0);
    expect((await counts()).counted).toEqual(before);
  });

  it("fold only what was appended: a total no write touched stays where it is, one summing to nothing and a dropped table's go", async () => {
    await db.owner.query("select tally.compact()");
    const place = async (tenantId: string, table = "app.items") =>
      (
        await db.owner.query<{ ctid: string }>(
          "select ctid::text from tally.row_totals where relid = $2::regclass and customer_id = $1",
          [tenantId, table],
        )
      ).rows.map((r) => r.ctid);
    const [untouched] = await place(B);
    await db.owner.query(`
      create table app.scratch (tenant_id text not null, id int);
      insert into tally.row_counts values
        ('app.scratch'::regclass, '${A}', 3), ('app.items'::regclass, 'GONE00000', 2)`);
    await db.owner.query("select tally.compact()");
    expect((await place(A, "app.scratch")).length).toBe(1);
    expect((await place("GONE00000")).length).toBe(1);
    const scratch = (
      await db.owner.query<{ oid: number }>("select 'app.scratch'::regclass::oid as oid")
    ).rows[0].oid;
    await db.owner.query("drop table app.scratch");
    await asTenant(A, sql`insert into app.items values (${A}, 2000)`);
    await db.owner.query(
      "insert into tally.row_counts values ('app.items'::regclass, 'GONE00000', -2)",
    );
    const before = (await counts()).counted;
    expect(await db.owner.query("select tally.compact() as n")).toMatchObject({
      rows: [{ n: "2" }],
    });
    expect(await place(B)).toEqual([untouched]);
    expect((await place(A)).length).toBe(1);
    expect(await place("GONE00000")).toEqual([]);
    const { rows } = await db.owner.query(
      "select (select count(*) from tally.row_totals where relid = $1)::int + (select count(*) from tally.row_counts where relid = $1)::int as n",
      [scratch],
    );
    expect(rows[0].n).toBe(0);
    expect((await counts()).counted).toEqual(before);
    expect((await counts()).counted).toEqual((await counts()).actual);
  });

  it("feed the snapshot, and the reconcile mends and reports drift", async () => {
    const { actual } = await counts();
    let run = await snapshotTaken("command");
    const figure = async (runId: string, tenantId: string) =>
      (await figuresAsOf(db.owner, runId, tenantId))["rows.app.items"];
    expect(await figure(run.runId, A)).toBe(actual[A]);
    expect(await figure(run.runId, B)).toBe(actual[B]);
    // Rows written past the triggers (as a replicated row would be): drift.
    await db.owner.query("alter table app.items disable trigger tally_inserted");
    await db.owner.query("insert into app.items values ($1, 2000), ($1, 2001)", [B]);
    await db.owner.query("alter table app.items enable trigger tally_inserted");
    run = await snapshotTaken("command");
    expect(await figure(run.runId, B)).toBe(actual[B]);

    // A metered event written past its totals' trigger: drift there too.
    await db.owner.query(
      "alter table control.usage_events disable trigger usage_events_total_insert",
    );
    await db.owner.query(
      `insert into control.usage_events (tenant_id, event_id, kind, quantity, occurred_at)
       values ($1, 'past-the-trigger', 'sms', 5, '2026-01-15T00:00:00Z')`,
      [A],
    );
    await db.owner.query(
      "alter table control.usage_events enable trigger usage_events_total_insert",
    );

    const onlyA = await owner((c) => reconcileRowCounts(c, { tenantId: A }));
    expect(onlyA.drift).toEqual([]);
    const report = await reconcileCounts(db.database.ownerUrl);
    expect(report.events).toEqual([
      { table: "control.usage_events 2026-01 sms", tenantId: A, counted: 0, actual: 1 },
    ]);
    const { rows: totals } = await db.owner.query(
      "select events::int, quantity::int from control.usage_event_totals where tenant_id = $1 and month = '2026-01'",
      [A],
    );
    expect(totals).toEqual([{ events: 1, quantity: 5 }]);
    expect(report.databases).toEqual([
      {
        name: "primary",
        tables: 1,
        drift: [{ table: "app.items", tenantId: B, counted: actual[B], actual: actual[B] + 2 }],
      },
    ]);
    const { rows: alerts } = await db.owner.query(
      "select kind, summary from control.alerts where dedupe_key = 'counts:drift'",
    );
    expect(alerts).toHaveLength(1);
    const after = await counts();
    expect(after.counted).toEqual(after.actual);
    const again = await reconcileCounts(db.database.ownerUrl);
    expect([again.databases[0].drift, again.events]).toEqual([[], []]);
  });

  it("are reconciled again only when a reconcile is due, and otherwise only made where missing", async () => {
    await reconcileCounts(db.database.ownerUrl);
    // A table adopted since: the next look makes its counters without counting anything else.
    await db.owner.query(`create table app.later (tenant_id text not null, id int not null);
                          alter table app.later enable row level security;
                          alter table app.later force row level security;
                          create policy later_tenant on app.later using (tenant_id = ${CURRENT_TENANT_SQL});
                          grant select on app.later to tenantry_platform`);
    expect(await reconcileIfDue(db.database.ownerUrl, 24)).toBeNull();
    const { rows } = await db.owner.query(
      "select count(*)::int as n from pg_trigger where tgrelid = 'app.later'::regclass and tgname = $1",
      [COUNTER_TRIGGERS[0]],
    );
    expect(rows[0].n).toBe(1);
    // A day later one is due.
    await db.owner.query(
      "update control.job_runs set finished_at = finished_at - interval '25 hours' where job = 'usage-reconcile'",
    );
    const report = await reconcileIfDue(db.database.ownerUrl, 24);
    expect(report?.databases[0].tables).toBe(2);
    expect(await reconcileIfDue(db.database.ownerUrl, 24)).toBeNull();
    await db.owner.query("drop table app.later");
  });

  it("give one customer's rows per table from the counters, and count a table without them", async () => {
    await owner(async (c) => {
      await c.query("begin");
      try {
        // A drift the counters hold shows they were read rather than the rows counted.
        await c.query(
          "insert into tally.row_counts (relid, customer_id, n) values ('app.items'::regclass, $1, 1000)",
          [B],
        );
        await c.query("create table app.plain (tenant_id text not null, id int)");
        await c.query("insert into app.plain values ($1, 1), ($1, 2), ($2, 3)", [A, B]);
        const tables = [
          { schema: "app", table: "items" },
          { schema: "app", table: "plain" },
        ];
        const { actual } = await counts();
        expect(await customerRowCounts(c, tables, A)).toEqual([actual[A], 2]);
        expect(await customerRowCounts(c, tables, B)).toEqual([actual[B] + 1000, 1]);
      } finally {
        await c.query("rollback");
      }
    });
  });

  it("are taken off by truncation, back to zero", async () => {
    await db.owner.query("truncate app.items");
    expect((await counts()).counted).toEqual({});
  });
});

describe("making the counters", () => {
  it("twice at once makes them once, with one first count", async () => {
    await db.owner.query(
      `
      create table app.twice (tenant_id text not null, id int primary key);
      alter table app.twice enable row level security;
      alter table app.twice force row level security;
      create policy twice_tenant on app.twice using (tenant_id = ${CURRENT_TENANT_SQL});
      insert into app.twice select '${A}', g from generate_series(1, 12) g;`,
    );
    const [first, second] = await Promise.all([
      owner((c) => ensureRowCounters(c, [{ schema: "app", table: "twice" }])),
      owner((c) => ensureRowCounters(c, [{ schema: "app", table: "twice" }])),
    ]);
    expect([...first, ...second]).toEqual(['"app"."twice"']);
    const { rows } = await db.owner.query(
      "select customer_id, sum(n)::int as n from tally.counts where relid = 'app.twice'::regclass group by 1",
    );
    expect(rows).toEqual([{ customer_id: A, n: 12 }]);
  });
});

describe("the row counters on a partitioned table", () => {
  const eventCounts = () => counts("app.events");

  it("count every write, through the table or straight to a partition, and a partition's truncation", async () => {
    await db.owner.query(`
      create table app.events (tenant_id text not null, id int, at date not null, primary key (tenant_id, id, at)) partition by range (at);
      create table app.events_2025 partition of app.events for values from ('2025-01-01') to ('2026-01-01');
      create table app.events_2026 partition of app.events for values from ('2026-01-01') to ('2027-01-01') partition by hash (id);
      create table app.events_2026_0 partition of app.events_2026 for values with (modulus 2, remainder 0);
      create table app.events_2026_1 partition of app.events_2026 for values with (modulus 2, remainder 1);
      alter table app.events enable row level security;
      alter table app.events force row level security;
      create policy events_tenant on app.events
        using (tenant_id = ${CURRENT_TENANT_SQL})
        with check (tenant_id = ${CURRENT_TENANT_SQL});
      grant select, insert, delete on app.events to tenantry_tenant;
      insert into app.events select '${B}', g, date '2026-01-01' + g from generate_series(1, 9) g;`);
    expect(await owner((c) => ensureRowCounters(c))).toEqual([
      '"app"."events"',
      '"app"."events_2025"',
      '"app"."events_2026"',
      '"app"."events_2026_0"',
      '"app"."events_2026_1"',
    ]);
    expect(await owner((c) => ensureRowCounters(c))).toEqual([]);
    expect(await eventCounts()).toEqual({ counted: { [B]: 9 }, actual: { [B]: 9 } });

    // Through the table, as the customer.
    await asTenant(
      A,
      sql`insert into app.events select ${A}, g, date '2025-06-01' + g * 2 from generate_series(1, 200) g`,
    );
    await asTenant(A, sql`delete from app.events where at < '2025-07-01'`);
    // Straight to a partition and to a sub-partition, and to the table the leaves divide.
    await db.owner.query(
      "insert into app.events_2025 select $1, g, date '2025-03-01' from generate_series(1000, 1004) g",
      [B],
    );
    await db.owner.query(
      "insert into app.events_2026_0 select $1, g, '2026-05-01' from generate_series(2000, 2100) g where satisfies_hash_partition('app.events_2026'::regclass, 2, 0, g)",
      [A],
    );
    await db.owner.query(
      "insert into app.events_2026 select $1, g, '2026-06-01' from generate_series(3000, 3010) g",
      [B],
    );
    await db.owner.query("delete from app.events_2025 where tenant_id = $1 and id > 190", [A]);
    // A tally_moved made as an AFTER trigger (before migration 0074) is made again, BEFORE,
    // on the table and so on every partition.
    await db.owner.query(`
      drop trigger tally_moved on app.events;
      create trigger tally_moved after update of tenant_id on app.events for each row
        when (old.tenant_id is distinct from new.tenant_id) execute function tally.count_moved()`);
    expect(await owner((c) => ensureRowCounters(c))).toEqual([]);
    const { rows: moved } = await db.owner.query<{ on: string; before: boolean }>(
      `select tgrelid::regclass::text as on, tgtype & 2 = 2 as before from pg_trigger
        where tgname = 'tally_moved' and tgrelid::regclass::text like 'app.events%' order by 1`,
    );
    expect(moved.map((t) => t.on)).toEqual([
      "app.events",
      "app.events_2025",
      "app.events_2026",
      "app.events_2026_0",
      "app.events_2026_1",
    ]);
    expect(moved.every((t) => t.before)).toBe(true);
    // A customer change, through the table and straight to a partition (the owner's work).
    await db.owner.query(
      "update app.events set tenant_id = $2 where tenant_id = $1 and id = 3000",
      [B, A],
    );
    await db.owner.query(
      "update app.events_2025 set tenant_id = $2 where tenant_id = $1 and id = 1000",
      [B, A],
    );
    // One that moves the row to another partition: a delete and an insert there.
    await db.owner.query(
      "update app.events set tenant_id = $2, at = '2026-08-01' where tenant_id = $1 and id = 1001",
      [B, A],
    );
    expect(
      (
        await db.owner.query(
          "select tableoid::regclass::text as leaf from app.events where id = 1001",
        )
      ).rows[0].leaf,
    ).toMatch(/^app\.events_2026_/);
    expect((await eventCounts()).counted).toEqual((await eventCounts()).actual);

    // A leaf's truncation takes its rows only, whoever's they are.
    await db.owner.query("truncate app.events_2026_1");
    const afterLeaf = await eventCounts();
    expect(afterLeaf.counted).toEqual(afterLeaf.actual);
    expect(afterLeaf.actual[A]).toBeGreaterThan(0);
    expect(await owner((c) => reconcileRowCounts(c))).toMatchObject({ drift: [] });

    // A sub-partitioned partition's truncation counts through its leaves, once.
    await db.owner.query("truncate app.events_2026");
    const afterSub = await eventCounts();
    expect(afterSub.counted).toEqual(afterSub.actual);

    // A partition made later gets the counters at the next pass, without a count.
    await db.owner.query(
      "create table app.events_2027 partition of app.events for values from ('2027-01-01') to ('2028-01-01')",
    );
    expect(await owner((c) => ensureRowCounters(c))).toEqual(['"app"."events_2027"']);
    await db.owner.query("insert into app.events_2027 values ($1, 1, '2027-02-01')", [B]);
    const later = await eventCounts();
    expect(later.counted).toEqual(later.actual);
    expect(await owner((c) => reconcileRowCounts(c))).toMatchObject({ drift: [] });

    // The whole table's truncation leaves nothing counted.
    await db.owner.query("truncate app.events");
    expect(await eventCounts()).toEqual({ counted: {}, actual: {} });
  });

  it("a write straight to a partition that predates its counters is the reconcile's to find", async () => {
    await db.owner.query(
      "create table app.events_2028 partition of app.events for values from ('2028-01-01') to ('2029-01-01')",
    );
    await db.owner.query("insert into app.events_2028 values ($1, 1, '2028-02-01')", [A]);
    const { drift } = await owner(async (c) => {
      await ensureRowCounters(c);
      return reconcileRowCounts(c);
    });
    expect(drift).toEqual([{ table: "app.events", tenantId: A, counted: 0, actual: 1 }]);
    expect(await eventCounts()).toEqual({ counted: { [A]: 1 }, actual: { [A]: 1 } });
  });
});

describe("the user counts' reconcile", () => {
  it("finds and mends a customer whose count drifted, and only it", async () => {
    await insertUser(db.owner, { email: "one@a.example", tenantId: A });
    await insertUser(db.owner, { email: "two@b.example", tenantId: B });
    await db.owner.query("update control.customers set user_count = 5 where id = $1", [B]);
    const drift = await owner((c) => reconcileUserCounts(c));
    expect(drift).toEqual([{ table: "control.memberships", tenantId: B, counted: 5, actual: 1 }]);
    const { rows } = await db.owner.query(
      "select id, user_count from control.customers where id = any($1) order by id",
      [[A, B]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.user_count]))).toEqual({ [A]: 1, [B]: 1 });
    expect(await owner((c) => reconcileUserCounts(c))).toEqual([]);
  });
});
