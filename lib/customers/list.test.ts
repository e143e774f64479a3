import { beforeAll, describe, expect, it } from "vitest";
import { withPlatform, withTenant, type PlatformContext } from "@/db/tenant";
import { insertUser, freshTestDatabase } from "@/db/test/fixture";
import { encodeCursor } from "@/lib/lists/cursor";
import { EXACT_TOTAL_UP_TO } from "@/lib/lists/keyset";
import { formatCustomerId, generateCustomerId } from "./ids";
import { listCustomers } from "./queries";
import { customerListSchema } from "./schemas";

const db = freshTestDatabase();
const root: PlatformContext = {
  userId: crypto.randomUUID(),
  email: "root@tenantry.example",
  platformRole: "super_admin",
};
const list = (query: Record<string, string | null | undefined>) =>
  withPlatform(root, { action: "customers.list" }, (tx) =>
    listCustomers(
      tx,
      customerListSchema.parse(Object.fromEntries(Object.entries(query).filter(([, v]) => v))),
    ),
  );

// name, status, plan, users
const FIXTURE = [
  ["Alpha Garage", "active", "team", 3],
  ["alpine Tires", "trial", "free", 0],
  ["Beta Motors", "suspended", "business", 5],
  ["Gamma_Parts", "active", "free", 1],
  ["Delta Service", "active", "enterprise", 2],
] as const;
const ids: Record<string, string> = {};

beforeAll(async () => {
  for (const [i, [name, status, plan, users]] of FIXTURE.entries()) {
    const id = generateCustomerId();
    ids[name] = id;
    await db.owner.query(
      "insert into control.customers (id, name, status, plan, contact_email, created_at) values ($1, $2, $3, $4, 'x@x.example', now() - $5 * interval '1 day')",
      [id, name, status, plan, i],
    );
    for (let u = 0; u < users; u++)
      await insertUser(db.owner, { email: `u${u}@${id.toLowerCase()}.example`, tenantId: id });
  }
});

const names = (rows: { name: string }[]) => rows.map((r) => r.name);

describe("listCustomers", () => {
  it("sorts by each column, both ways, with the user counts", async () => {
    expect(names((await list({ sort: "name", dir: "asc" })).rows)).toEqual([
      "Alpha Garage",
      "alpine Tires",
      "Beta Motors",
      "Delta Service",
      "Gamma_Parts",
    ]);
    const byUsers = await list({ sort: "users", dir: "desc" });
    expect(byUsers.rows.map((r) => [r.name, r.users])).toEqual([
      ["Beta Motors", 5],
      ["Alpha Garage", 3],
      ["Delta Service", 2],
      ["Gamma_Parts", 1],
      ["alpine Tires", 0],
    ]);
    expect(names((await list({ sort: "created", dir: "desc" })).rows)[0]).toBe("Alpha Garage");
    // By number, not as text: 10 follows 5.
    const ten = await db.owner.query<{ id: string }>(
      "insert into control.customers (id, name, contact_email) values ($1, 'Ten Users', 'x@x.example') returning id",
      [generateCustomerId()],
    );
    for (let u = 0; u < 10; u++)
      await insertUser(db.owner, { email: `ten${u}@x.example`, tenantId: ten.rows[0].id });
    const byNumber = await list({ sort: "users", dir: "asc" });
    expect(byNumber.rows.map((r) => r.users)).toEqual([0, 1, 2, 3, 5, 10]);
    await db.owner.query("delete from control.memberships where tenant_id = $1", [ten.rows[0].id]);
    await db.owner.query("delete from control.customers where id = $1", [ten.rows[0].id]);
    const byName = await list({ sort: "name", dir: "desc" });
    expect(byName.rows.find((r) => r.name === "Beta Motors")?.users).toBe(5);
  });

  it("searches by case-insensitive name prefix, treating % and _ literally, and by ID in any form", async () => {
    expect(names((await list({ q: "ALP", sort: "name", dir: "asc" })).rows)).toEqual([
      "Alpha Garage",
      "alpine Tires",
    ]);
    expect(names((await list({ q: "gamma_" })).rows)).toEqual(["Gamma_Parts"]);
    expect((await list({ q: "gamma%" })).total).toEqual({ count: 0, exact: true });
    expect((await list({ q: "%" })).total.count).toBe(0);
    const id = ids["Delta Service"];
    expect(names((await list({ q: formatCustomerId(id).toLowerCase() })).rows)).toEqual([
      "Delta Service",
    ]);
  });

  it("filters by status and plan, with the exact total", async () => {
    const active = await list({ status: "active", sort: "name", dir: "asc" });
    expect(names(active.rows)).toEqual(["Alpha Garage", "Delta Service", "Gamma_Parts"]);
    expect(active.total).toEqual({ count: 3, exact: true });
    expect(names((await list({ plan: "free", sort: "name", dir: "asc" })).rows)).toEqual([
      "alpine Tires",
      "Gamma_Parts",
    ]);
    const all = await list({ sort: "name", dir: "asc", size: "10" });
    expect(all).toMatchObject({
      total: { count: 5 },
      page: 1,
      first: 1,
      previous: null,
      next: null,
    });
  });

  it("reads bad URL parameters as the defaults instead of failing", () => {
    expect(
      customerListSchema.parse({
        sort: "drop table",
        dir: "up",
        page: "-4",
        size: "7",
        status: "gone",
        cursor: "not a cursor",
      }),
    ).toEqual({
      q: "",
      status: undefined,
      plan: undefined,
      sort: "created",
      dir: "desc",
      size: 25,
      cursor: undefined,
    });
  });

  it("ignores a cursor made for another sort, or whose key is not the sort's, and so never fails on one", async () => {
    const made = {
      page: 3,
      towards: "next" as const,
      sort: "users" as const,
      dir: "desc" as const,
      key: "3",
      id: ids["Alpha Garage"],
    };
    const parse = (cursor: object, query: Record<string, string> = {}) =>
      customerListSchema.parse({
        sort: "users",
        dir: "desc",
        ...query,
        cursor: encodeCursor(cursor as typeof made),
      }).cursor;
    expect(parse(made)).toEqual(made);
    expect(parse(made, { dir: "asc" })).toBeUndefined();
    expect(parse(made, { sort: "created" })).toBeUndefined();
    expect(parse({ ...made, key: "many" })).toBeUndefined();
    expect(parse({ ...made, key: "1\u0000" })).toBeUndefined();
    expect(parse({ ...made, id: "'; drop table" })).toBeUndefined();
    expect(
      parse({ ...made, sort: "created", key: "2024-13-45" }, { sort: "created" }),
    ).toBeUndefined();
    // A well-formed cursor naming a customer that no longer exists still pages from its key.
    const gone = await list({
      sort: "users",
      dir: "desc",
      cursor: encodeCursor({ ...made, id: "ZZZZZZZZZ" }),
    });
    expect(names(gone.rows)).toEqual([
      "Alpha Garage",
      "Delta Service",
      "Gamma_Parts",
      "alpine Tires",
    ]);
  });
});

describe("keyset paging", () => {
  // 23 customers whose sort keys tie in every column but the ID: same status, plan and
  // created time for most; the rest a microsecond apart (a Date keeps only milliseconds).
  beforeAll(async () => {
    await db.owner.query(
      `insert into control.customers (id, name, status, plan, contact_email, created_at)
       select (array[${Array.from({ length: 23 }, () => `'${generateCustomerId()}'`).join(",")}])[g],
              'Walk ' || (array['Same', 'same', 'Other'])[1 + g % 3] || ' ' || (g % 4),
              'active', (array['free', 'team'])[1 + g % 2], 'x@walk.example',
              '2026-01-01 00:00:00.000001+00'::timestamptz + (g % 3) * interval '1 microsecond'
         from generate_series(1, 23) g`,
    );
  });

  const ORDER = {
    name: `lower(name) collate "C"`,
    status: "status",
    plan: "plan",
    users: "user_count",
    created: "created_at",
  } as const;

  for (const sort of Object.keys(ORDER) as (keyof typeof ORDER)[]) {
    for (const dir of ["asc", "desc"] as const) {
      it(`walks every page by ${sort} ${dir} and back, each customer once, in order`, async () => {
        const { rows } = await db.owner.query<{ id: string }>(
          `select id from control.customers where lower(name) like 'walk %'
            order by ${ORDER[sort]} ${dir}, id ${dir}`,
        );
        const expected = rows.map((r) => r.id);
        const query = { q: "walk", sort, dir, size: "10" };

        const forward: string[] = [];
        let page = await list(query);
        const pages = [page];
        while (page.next && pages.length < 10) {
          page = await list({ ...query, cursor: page.next.cursor });
          pages.push(page);
        }
        for (const p of pages) forward.push(...p.rows.map((r) => r.id));
        expect(forward).toEqual(expected);
        expect(pages.map((p) => [p.page, p.first, p.rows.length])).toEqual([
          [1, 1, 10],
          [2, 11, 10],
          [3, 21, 3],
        ]);
        expect(pages.every((p) => p.total.count === 23 && p.total.exact)).toBe(true);

        const backward: string[][] = [];
        while (page.previous) {
          page = await list({ ...query, cursor: page.previous.cursor });
          backward.unshift(page.rows.map((r) => r.id));
        }
        expect(backward.flat()).toEqual(expected.slice(0, 20));
        expect(page).toMatchObject({ page: 1, previous: null });
      });
    }
  }

  it("starts again from the top when going back past customers removed before the page", async () => {
    const query = { q: "walk", sort: "name", dir: "asc", size: "10" };
    const second = await list({ ...query, cursor: (await list(query)).next!.cursor });
    expect(second.previous).toEqual({ cursor: null });
    const third = await list({ ...query, cursor: second.next!.cursor });
    await db.owner.query(
      `delete from control.customers where id in (select id from control.customers
        where lower(name) like 'walk %' order by lower(name) collate "C", id limit 10)`,
    );
    // Only 10 customers are now before page 3: going back lands on page 1, from the top.
    const back = await list({ ...query, cursor: third.previous!.cursor });
    expect(back).toMatchObject({ page: 1, first: 1, previous: null });
    expect(back.rows.map((r) => r.id)).toEqual(
      [...second.rows, ...third.rows].map((r) => r.id).slice(0, 10),
    );
  });
});

describe("user counts", () => {
  const count = async (id: string) =>
    (
      await db.owner.query<{ n: number }>(
        "select user_count as n from control.customers where id = $1",
        [id],
      )
    ).rows[0].n;
  const exact = async (id: string) =>
    Number(
      (await db.owner.query("select count(*) from control.memberships where tenant_id = $1", [id]))
        .rows[0].count,
    );

  it("are kept by the memberships' triggers through inserts, deletes, moves, cascades and truncation", async () => {
    const [a, b] = [ids["Alpha Garage"], ids["Beta Motors"]];
    expect([await count(a), await count(b)]).toEqual([3, 5]);
    const user = await insertUser(db.owner, { email: "moved@x.example", tenantId: a });
    expect(await count(a)).toBe(4);
    await db.owner.query("update control.memberships set tenant_id = $2 where user_id = $1", [
      user,
      b,
    ]);
    expect([await count(a), await count(b)]).toEqual([3, 6]);
    await db.owner.query("update control.memberships set role = 'admin' where tenant_id = $1", [b]);
    expect(await count(b)).toBe(6);
    await db.owner.query("delete from control.users where id = $1", [user]);
    expect(await count(b)).toBe(5);
    for (const id of [a, b]) expect(await count(id)).toBe(await exact(id));
  });

  it("another customer's count is invisible and unwritable from the tenant door, and its members' changes move only its own", async () => {
    const [a, b] = [ids["Alpha Garage"], ids["Beta Motors"]];
    const before = await count(b);
    const seen = await withTenant({ tenantId: a }, (tx) =>
      tx.execute("select id, user_count from control.customers"),
    );
    expect(seen.rows.map((r) => r.id)).toEqual([a]);
    const written = await withTenant({ tenantId: a }, (tx) =>
      tx.execute(`update control.customers set user_count = 999 where id = '${b}'`),
    );
    expect(written.rowCount).toBe(0);
    // Removing one of its own members moves its own count and no other.
    await withTenant({ tenantId: a }, (tx) =>
      tx.execute(
        `delete from control.memberships where ctid = (select ctid from control.memberships where tenant_id = '${a}' limit 1)`,
      ),
    );
    expect([await count(a), await count(b)]).toEqual([await exact(a), before]);
  });

  it("are zeroed with the memberships they count", async () => {
    await db.owner.query("truncate control.memberships cascade");
    const { rows } = await db.owner.query(
      "select count(*)::int as n from control.customers where user_count <> 0",
    );
    expect(rows[0].n).toBe(0);
  });
});

describe("a large list", () => {
  it(`counts exactly up to ${EXACT_TOTAL_UP_TO.toLocaleString("en")} and estimates above, labelled as such`, async () => {
    await db.owner.query(
      `insert into control.customers (id, name, status, contact_email)
       select translate(lpad(upper(to_hex(g * 2654435761 % 4294967291)), 9, 'A'), '01', 'XY'),
              'Bulk ' || g, 'offboarding', 'x@bulk.example'
         from generate_series(1, $1::int) g`,
      [EXACT_TOTAL_UP_TO + 500],
    );
    await db.owner.query("analyze control.customers");
    const all = await list({});
    expect(all.total.exact).toBe(false);
    expect(all.total.count).toBeGreaterThan(EXACT_TOTAL_UP_TO);
    expect(Math.abs(all.total.count - (EXACT_TOTAL_UP_TO + 530)) / EXACT_TOTAL_UP_TO).toBeLessThan(
      0.1,
    );
    expect(all.next).not.toBeNull();
    // Narrow enough, the total is exact again.
    expect((await list({ q: "bulk 1000" })).total).toEqual({ count: 11, exact: true });
    expect((await list({ status: "active" })).total.exact).toBe(true);
  });
});
