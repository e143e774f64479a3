// Moving a customer whose tables are as real schemas' are (issue #16): two tables that point at
// one another (a forum's topics and their last post), identity columns GENERATED ALWAYS and a
// stored generated column, a partitioned table, views over a function, a trigger, a table with
// no column of its own. Before, the copy could write none of the first, the cleanup could not
// delete the cycle, and sync refused the rest; now sync makes them all, the customer arrives
// whole, counted, and leaves nothing behind, and another customer's rows in the same partitions
// are untouched by either move.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endDatabasePools } from "@/db/databases";
import { checkIsolation } from "@/db/guard";
import { withOwnerClient } from "@/db/owner";
import { forgetPlacements } from "@/db/placement";
import { freshTestDatabase, insertCustomers } from "@/db/test/fixture";
import { startSecondServer, type SecondServer } from "@/db/test/second-server";
import { withCustomerData, withTenant } from "@/db/tenant";
import { runAdoption } from "../adoption/run";
import { generateCustomerId, LEGACY_CUSTOMER_ID } from "../customers/ids";
import { addDatabase } from "../databases/registry";
import { planSync, syncDatabase, type SyncPlan } from "../databases/sync";
import { contentsOf, countedRowsOf, emptyOf } from "../portability/test/contents";
import { moveCustomer } from "./move";

const db = freshTestDatabase();
const primary = () => db.database.ownerUrl;
const A = LEGACY_CUSTOMER_ID;
let B: string;
let synced: SyncPlan;
let second: SecondServer;
const VAR = "TENANTRY_TEST_CONSTRUCTS_TARGET";

beforeAll(async () => {
  second = await startSecondServer(VAR);
  await db.owner.query(`
    create schema forum;
    create table forum.topics (id int generated always as identity primary key, title text not null, last_post_id int);
    create table forum.posts (id int generated always as identity primary key, topic_id int not null references forum.topics,
                              body text not null, size int generated always as (length(body)) stored);
    alter table forum.topics add constraint topics_last_post foreign key (last_post_id) references forum.posts;
    create table forum.attachments (id int primary key, post_id int not null references forum.posts, name text);
    insert into forum.topics (title) values ('Welcome'), ('Rules');
    insert into forum.posts (topic_id, body) values (1, 'hello'), (1, 'again'), (2, 'be kind');
    update forum.topics set last_post_id = case id when 1 then 2 else 3 end;
    insert into forum.attachments values (1, 1, 'a.png'), (2, 3, 'b.png');
    -- A foreign key to a unique index that is not a constraint (as Rails writes them).
    create table forum.tags (id int primary key, name text not null);
    create unique index tags_by_name on forum.tags (name);
    create table forum.post_tags (id int primary key, post_id int not null references forum.posts, tag text not null references forum.tags (name));
    insert into forum.tags values (1, 'news');
    insert into forum.post_tags values (1, 1, 'news');
    -- A table with no column of its own (PostgREST's test schema has one): rows only counted.
    create table forum.marks ();
    insert into forum.marks select from generate_series(1, 2);
    create table forum.events (id int not null, year int not null, what text, primary key (id, year)) partition by list (year);
    create table forum.events_2025 partition of forum.events for values in (2025);
    create table forum.events_2026 partition of forum.events for values in (2026) partition by range (id);
    create table forum.events_2026_low partition of forum.events_2026 for values from (minvalue) to (1000000);
    create table forum.events_other partition of forum.events default;
    create index events_what on forum.events (what);
    insert into forum.events values (1, 2025, 'opened'), (2, 2025, 'closed'), (3, 2031, 'later');
    create function forum.shout(text) returns text language sql immutable as $$ select upper($1) $$;
    revoke execute on function forum.shout(text) from public;
    -- A computed column over a table's row type, as PostgREST has them.
    create function forum.title_of(forum.topics) returns text language sql stable as $$ select $1.title $$;
    create view forum.topic_titles as select t.id, forum.shout(forum.title_of(t)) as title from forum.topics t;
    create view forum.loud_topics with (security_barrier) as select * from forum.topic_titles where title like 'R%';
    create function forum.trimmed() returns trigger language plpgsql as $$ begin new.body := btrim(new.body); return new; end $$;
    create trigger posts_trimmed before insert or update on forum.posts for each row execute function forum.trimmed();
    -- Aggregates: one over a function of the schema's own, with a combine function, that a view
    -- calls; a moving one with an inverse; an ordered-set one with a final function of its own.
    create function forum.longer(text, text) returns text language sql immutable
      as $$ select case when length($2) > length(coalesce($1, '')) then $2 else $1 end $$;
    create aggregate forum.longest(text) (sfunc = forum.longer, stype = text, combinefunc = forum.longer, parallel = safe);
    create aggregate forum.running(int) (sfunc = int4pl, stype = int, initcond = '0',
      msfunc = int4pl, minvfunc = int4mi, mstype = int, minitcond = '0');
    create function forum.nth_of(text[], int) returns text language sql immutable as $$ select $1[$2] $$;
    create aggregate forum.nth(int order by text) (sfunc = array_append, stype = text[], finalfunc = forum.nth_of, initcond = '{}');
    revoke execute on function forum.nth(int, text) from public;
    create view forum.topic_longest as
      select t.id, forum.longest(p.body) as longest from forum.topics t join forum.posts p on p.topic_id = t.id group by t.id;`);
  const adopted = await runAdoption(primary(), { schema: "forum" });
  if (!adopted.ok) throw new Error(adopted.instructions);
  // An application that writes straight to a partition, too: isolated as its table is (the
  // guard names a partition the app's roles may name that is not).
  const tenant = "(tenant_id = (select nullif(current_setting('app.tenant_id', true), '')))";
  await db.owner
    .query(`grant execute on function forum.shout(text), forum.nth(int, text) to tenantry_tenant;
    grant select on forum.topic_titles, forum.loud_topics to tenantry_tenant;
    alter table forum.events_2025 enable row level security;
    alter table forum.events_2025 force row level security;
    create policy events_2025_tenant on forum.events_2025 using ${tenant} with check ${tenant};
    grant select, insert on forum.events_2025 to tenantry_tenant`);
  // B's events, in a partition of their own: their ctids are A's (in another partition).
  [B] = await insertCustomers(db.owner, [generateCustomerId()]);
  await db.owner.query(
    "insert into forum.events (tenant_id, id, year, what) select $1, i, 2026, 'b' from generate_series(1, 40) i",
    [B],
  );
  await addDatabase(primary(), { name: "dedicated-1", envVar: VAR, kind: "dedicated" });
  synced = await syncDatabase(primary(), second.ownerUrl, { appPassword: second.appPassword });
}, 180_000);

afterAll(async () => {
  forgetPlacements();
  await endDatabasePools();
  await second?.stop();
});

const titlesAs = (customer: string) =>
  withCustomerData({ tenantId: customer }, async (tx) => {
    const { rows } = await tx.execute<{ title: string }>(
      sql`select title from forum.loud_topics order by 1`,
    );
    return rows.map((r) => r.title);
  });

describe("sync of a real schema's constructs", () => {
  it("makes partitions after their tables, views after what they read, functions, triggers and their grants", async () => {
    const keys = synced.create.map((o) => o.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        "table forum.events_2026_low",
        "index events_what on forum.events",
        "index tags_by_name on forum.tags",
        "function forum.trimmed()",
        "trigger posts_trimmed on forum.posts",
        "grant execute on routine forum.shout(text) to tenantry_tenant",
        "revoke execute on routine forum.shout(text) from public",
        "grant select on table forum.loud_topics to tenantry_tenant",
        "grant execute on routine forum.nth(integer, text) to tenantry_tenant",
        "revoke execute on routine forum.nth(integer, text) from public",
      ]),
    );
    const at = (key: string) => keys.indexOf(key);
    expect(at("table forum.events")).toBeLessThan(at("table forum.events_2026"));
    expect(at("table forum.events_2026")).toBeLessThan(at("table forum.events_2026_low"));
    expect(at("function forum.shout(text)")).toBeLessThan(at("table forum.topics"));
    expect(at("table forum.topics")).toBeLessThan(at("function forum.title_of(forum.topics)"));
    expect(at("function forum.title_of(forum.topics)")).toBeLessThan(at("view forum.topic_titles"));
    expect(at("view forum.topic_titles")).toBeLessThan(at("view forum.loud_topics"));
    expect(at("function forum.longer(text, text)")).toBeLessThan(
      at("function forum.longest(text)"),
    );
    expect(at("function forum.longest(text)")).toBeLessThan(at("view forum.topic_longest"));
    // A partition's copies of its table's keys, indexes and triggers are the table's to make.
    expect(keys.filter((k) => / on forum\.events_/.test(k) && !k.startsWith("policy"))).toEqual([]);
    await withOwnerClient(second.ownerUrl, async (c) => {
      const { rows } = await c.query(
        `select has_function_privilege('tenantry_platform', 'forum.shout(text)', 'execute') as platform,
                has_function_privilege('tenantry_tenant', 'forum.shout(text)', 'execute') as tenant,
                (select count(*)::int from pg_inherits where inhparent = 'forum.events_what'::regclass) as indexes`,
      );
      expect(rows[0]).toEqual({ platform: false, tenant: true, indexes: 3 });
      // The aggregates there do what they do here.
      const aggregates = `select forum.longest(w) as longest, forum.nth(2) within group (order by w) as second,
                                 (select array_agg(r order by i) from (select i, forum.running(i) over (order by i rows 1 preceding) as r
                                                                         from generate_series(1, 4) i) s) as running,
                                 has_function_privilege('tenantry_tenant', 'forum.nth(int, text)', 'execute') as tenant,
                                 has_function_privilege('tenantry_platform', 'forum.nth(int, text)', 'execute') as platform
                            from unnest(array['be', 'kind', 'always']) w`;
      const here = await db.owner.query(aggregates);
      expect(here.rows[0]).toMatchObject({
        longest: "always",
        running: [1, 3, 5, 7],
        tenant: true,
      });
      expect((await c.query(aggregates)).rows).toEqual(here.rows);
    });
    // What the primary and the target make of the same catalog is the same: nothing to make,
    // no drift (the aggregates written out the same on both sides).
    expect(await planSync(primary(), second.ownerUrl)).toMatchObject({ create: [], drift: [] });
    // A view changed there is drift, whatever the versions print.
    const loud = (letter: string) =>
      withOwnerClient(second.ownerUrl, (c) =>
        c.query(`create or replace view forum.loud_topics with (security_barrier) as
                   select * from forum.topic_titles where title like '${letter}%'`),
      );
    await loud("W");
    try {
      const { drift } = await planSync(primary(), second.ownerUrl);
      expect(drift).toHaveLength(1);
      expect(drift[0]).toMatch(/^view forum\.loud_topics: here .*'W%'.* on the primary .*'R%'/s);
    } finally {
      await loud("R");
    }
    expect((await planSync(primary(), second.ownerUrl)).drift).toEqual([]);
    // The target's guard, as the app's login there: its partitions as isolated as the primary's.
    const report = await withOwnerClient(second.appUrl, (c) => checkIsolation(c));
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toContain("forum.events_other is tenant-isolated");
  });
});

describe("a move of tables in a cycle, with identity and generated columns", () => {
  it("copies the customer whole, counts it there, and deletes it from the source", async () => {
    const before = await contentsOf(primary(), A);
    expect(before["forum.posts"].rows).toBe(3);
    expect(before["forum.events"].rows).toBe(3);
    const others = await contentsOf(primary(), B);
    expect(others["forum.events"].rows).toBe(40);
    const moved = await moveCustomer(primary(), A, "dedicated-1", {
      by: "test",
      mode: "offline",
      graceMs: 0,
    });
    expect(moved).toMatchObject({ source: "primary", target: "dedicated-1", mode: "offline" });
    expect(await contentsOf(second.ownerUrl, A)).toEqual(before);
    expect(before["forum.marks"].rows).toBe(2);
    expect(await countedRowsOf(second.ownerUrl, A)).toBe(
      Object.values(before).reduce((n, t) => n + t.rows, 0),
    );
    // The cleanup deleted the cycle's rows too, and the source counts none of them.
    expect(emptyOf(await contentsOf(primary(), A))).toBe(true);
    expect(await countedRowsOf(primary(), A)).toBe(0);
    // A client with a stale route, writing straight to a partition there, is refused.
    const stale = await withTenant({ tenantId: A }, (tx) =>
      tx.execute(sql`insert into forum.events_2025 (id, year) values (9, 2025)`),
    ).then(
      () => "written",
      (e: Error) => ((e.cause as Error | undefined) ?? e).message,
    );
    expect(stale).toBe(`customer ${A} has moved to another database`);
    // Nor another customer's rows whose ctids were A's.
    expect(await contentsOf(primary(), B)).toEqual(others);
    // There, through the data door: the views over the function, and A's rows only.
    expect(await titlesAs(A)).toEqual(["RULES"]);
    await moveCustomer(primary(), B, "dedicated-1", { by: "test", mode: "offline", graceMs: 0 });
    expect(await titlesAs(B)).toEqual([]);
    await expect(
      withCustomerData({ tenantId: B }, (tx) =>
        tx.execute(sql`insert into forum.events (tenant_id, id, year) values (${A}, 99, 2026)`),
      ),
    ).rejects.toThrow();
  });

  it("moves it back online, partitions and all, while the other customer writes on the source", async () => {
    const before = await contentsOf(second.ownerUrl, A);
    const others = await contentsOf(second.ownerUrl, B);
    let written = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await withCustomerData({ tenantId: B }, (tx) =>
          tx.execute(
            sql`insert into forum.events (id, year, what) values (${100 + written}, 2026, 'during')`,
          ),
        );
        written++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const moved = await moveCustomer(primary(), A, "primary", {
      by: "test",
      mode: "online",
      graceMs: 0,
      // A writes once, straight to a partition, after the copy's snapshot.
      onPhase: async (phase) => {
        if (phase === "catch-up")
          await withCustomerData({ tenantId: A }, (tx) =>
            tx.execute(
              sql`insert into forum.events_2025 (id, year, what) values (50, 2025, 'late')`,
            ),
          );
      },
    }).finally(() => (writing = false));
    await writer;
    expect(moved).toMatchObject({ source: "dedicated-1", target: "primary", mode: "online" });
    expect(written).toBeGreaterThan(0);
    // The write to the partition was noted as one to its table, which the verification read on
    // the source again rather than hold against what the copy read: it waited for it.
    const after = await contentsOf(primary(), A);
    expect({ ...after, "forum.events": before["forum.events"] }).toEqual(before);
    expect(after["forum.events"].rows).toBe(before["forum.events"].rows + 1);
    expect(await countedRowsOf(primary(), A)).toBe(
      Object.values(after).reduce((n, t) => n + t.rows, 0),
    );
    expect(emptyOf(await contentsOf(second.ownerUrl, A))).toBe(true);
    // B's writes stayed where B lives, none of them replicated to A's new home.
    expect(emptyOf(await contentsOf(primary(), B))).toBe(true);
    expect((await contentsOf(second.ownerUrl, B))["forum.events"].rows).toBe(
      others["forum.events"].rows + written,
    );
    expect(await titlesAs(A)).toEqual(["RULES"]);
  });
});
