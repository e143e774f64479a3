// The registry of data-plane databases (issue #16, first part): a database is registered by the
// variable that holds its URL, sync makes the primary's adopted data plane there (and only what
// it lacks, on every later run), a construct sync cannot make stops it before it writes, and the
// guard checks every registered database.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { endDatabasePools } from "@/db/databases";
import { appIsolationReport, checkIsolation } from "@/db/guard";
import { withOwnerClient } from "@/db/owner";
import { generateSample } from "@/db/sample/generate";
import { createDatabase, type TestDatabase } from "@/db/test/databases";
import { freshTestDatabase } from "@/db/test/fixture";
import { runAdoption } from "../adoption/run";
import { withPlatform, type PlatformContext } from "@/db/tenant";
import { EXACT_TOTAL_UP_TO } from "@/lib/lists/keyset";
import { databasesWithCustomers } from "@/lib/placement/queries";
import {
  addDatabase,
  customerCount,
  listDatabases,
  RegistryError,
  removeDatabase,
} from "./registry";
import { planSync, syncDatabase } from "./sync";

const db = freshTestDatabase();
const url = () => db.database.ownerUrl;
let target: TestDatabase;
const root: PlatformContext = {
  userId: crypto.randomUUID(),
  email: "root@tenantry.example",
  platformRole: "super_admin",
};
const VAR = `TENANTRY_TEST_DB_${randomBytes(3).toString("hex").toUpperCase()}`;

beforeAll(async () => {
  await generateSample(url(), { rows: 500 });
  const adopted = await runAdoption(url(), { schema: "app" });
  if (!adopted.ok) throw new Error(adopted.instructions);
  target = await createDatabase(
    `${inject("runPrefix")}_dedicated_${randomBytes(3).toString("hex")}`,
  );
  process.env[VAR] = target.ownerUrl;
  process.env[`${VAR}_APP`] = target.appUrl;
  return async () => {
    await endDatabasePools();
    delete process.env[VAR];
    delete process.env[`${VAR}_APP`];
  };
}, 120_000);

const tablesOf = (ownerUrl: string) =>
  withOwnerClient(ownerUrl, async (client) => {
    const { rows } = await client.query<{ name: string; forced: boolean }>(
      `select c.relname as name, c.relforcerowsecurity as forced from pg_class c
        join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'app' and c.relkind = 'r' order by 1`,
    );
    return rows;
  });

describe("the registry", () => {
  it("registers a database by the variable that holds its URL, and refuses what cannot be reached", async () => {
    await expect(
      addDatabase(url(), { name: "nowhere", envVar: "TENANTRY_TEST_UNSET", kind: "dedicated" }),
    ).rejects.toThrow(
      "The database nowhere takes its connection from TENANTRY_TEST_UNSET, which holds no postgres:// URL in this process's environment.",
    );
    await expect(addDatabase(url(), { name: "Bad Name", envVar: VAR })).rejects.toThrow(
      /^A database's name is a lowercase letter/,
    );
    await addDatabase(url(), { name: "dedicated-1", envVar: VAR, kind: "dedicated" });
    await expect(addDatabase(url(), { name: "dedicated-1", envVar: VAR })).rejects.toThrow(
      "A database named dedicated-1 is registered already.",
    );
    const listed = await listDatabases(url());
    expect(listed.map((d) => [d.name, d.kind, d.status])).toEqual([
      ["primary", "shared", "active"],
      ["dedicated-1", "dedicated", "active"],
    ]);
    expect(listed[0].customers).toBeGreaterThan(0);
    expect(listed[1].customers).toBe(0);
  });

  it(`counts each database's customers up to ${EXACT_TOTAL_UP_TO.toLocaleString("en")}, and the page estimates above`, async () => {
    const bulk = await withOwnerClient(url(), async (c) => {
      const { rows } = await c.query<{ id: string }>(
        `insert into control.customers (id, name, status, contact_email)
         select translate(lpad(upper(to_hex(g * 2654435761 % 4294967291)), 9, 'A'), '01', 'XY'),
                'Placed ' || g, 'active', 'x@placed.example'
           from generate_series(1, $1::int) g returning id`,
        [EXACT_TOTAL_UP_TO + 500],
      );
      await c.query("update control.customers set database = 'dedicated-1' where id = any($1)", [
        rows.slice(0, 3).map((r) => r.id),
      ]);
      await c.query("analyze control.customers");
      return rows.map((r) => r.id);
    });
    try {
      const listed = await listDatabases(url());
      expect(listed.map((d) => [d.name, d.customers, customerCount(d)])).toEqual([
        ["primary", EXACT_TOTAL_UP_TO + 1, `more than ${EXACT_TOTAL_UP_TO}`],
        ["dedicated-1", 3, "3"],
      ]);
      await expect(removeDatabase(url(), "dedicated-1")).rejects.toThrow(
        "dedicated-1 holds 3 customers: move them elsewhere first (npm run move).",
      );
      const shown = await withPlatform(root, { action: "databases.view" }, (tx) =>
        databasesWithCustomers(tx),
      );
      expect(shown[1].customers).toEqual({ count: 3, exact: true });
      expect(shown[0].customers.exact).toBe(false);
      expect(
        Math.abs(shown[0].customers.count - (EXACT_TOTAL_UP_TO + 500)) / EXACT_TOTAL_UP_TO,
      ).toBeLessThan(0.1);
    } finally {
      await withOwnerClient(url(), (c) =>
        c.query("delete from control.customers where id = any($1)", [bulk]),
      );
    }
  });
});

describe("sync", () => {
  it("makes the adopted data plane on the target: tables, keys, foreign keys, indexes, forced RLS, policies, grants", async () => {
    const plan = await planSync(url(), target.ownerUrl);
    expect(plan.problems).toEqual([]);
    expect(plan.create.filter((o) => o.key.startsWith("table ")).length).toBe(32);
    await syncDatabase(url(), target.ownerUrl);
    expect(await tablesOf(target.ownerUrl)).toEqual(await tablesOf(url()));
    // The target's own guard, as the app's login there: every table isolated.
    const report = await withOwnerClient(target.appUrl, (client) => checkIsolation(client));
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.filter((c) => c.name.startsWith("app.")).length).toBe(32);
    // What the primary and the target make of the same catalog is the same: nothing left.
    expect((await planSync(url(), target.ownerUrl)).create).toEqual([]);
  });

  it("adds what the primary gained since, and names what it cannot make before writing anything", async () => {
    await withOwnerClient(url(), (c) => c.query("alter table app.users add column nickname text"));
    const plan = await syncDatabase(url(), target.ownerUrl);
    expect(plan.create.map((o) => o.key)).toEqual(["column nickname of app.users"]);
    await withOwnerClient(url(), (c) =>
      c.query(
        "create function app.magnitude(int) returns int language internal immutable strict as 'int4abs'",
      ),
    );
    try {
      await expect(syncDatabase(url(), target.ownerUrl)).rejects.toThrow(
        "Sync cannot make: app.magnitude(integer) is a function in the server's internal language outside an extension: sync cannot make it; make it by hand first. Nothing was written.",
      );
    } finally {
      await withOwnerClient(url(), (c) => c.query("drop function app.magnitude(int)"));
    }
    // Enums and domains the columns use, sync makes (before the tables); what an extension
    // gives (btree_gist's operator class, for an exclusion per customer), and a composite type,
    // the target must have.
    const uses = `create type app.mood as enum ('ok', 'meh');
      create domain app.score as int default 0 not null constraint score_positive check (value >= 0);
      create type app.pair as (a int, b int);
      alter table app.users add column mood app.mood, add column score app.score, add column pair app.pair,
        add constraint one_nickname exclude using gist (tenant_id with =, nickname with =)`;
    // An extension installed in the data plane's schema is the extension's to make: named as
    // such, its functions not one by one.
    await withOwnerClient(url(), (c) =>
      c.query(`create extension btree_gist; create extension pg_trgm with schema app; ${uses}`),
    );
    try {
      await expect(syncDatabase(url(), target.ownerUrl)).rejects.toThrow(
        "Sync cannot make: The target lacks the extension btree_gist (used by the index one_nickname): create it there first (create extension btree_gist). The target lacks the extension pg_trgm (installed in app on the primary): create it there first (create extension pg_trgm). The target lacks the type app.pair (a composite type), of app.users.pair: sync does not make types; make it there by hand first. Nothing was written.",
      );
      expect(await tablesOf(target.ownerUrl)).toEqual(await tablesOf(url()));
      // Once the target has those, sync makes the enum, the domain, the columns and the constraint.
      await withOwnerClient(target.ownerUrl, (c) =>
        c.query(
          "create extension btree_gist; create extension pg_trgm with schema app; create type app.pair as (a int, b int)",
        ),
      );
      const made = await syncDatabase(url(), target.ownerUrl);
      expect(made.create.map((o) => [o.key, o.sql])).toEqual([
        ["type app.mood", "create type app.mood as enum ('ok', 'meh')"],
        [
          "type app.score",
          "create domain app.score as integer default 0 not null constraint score_positive CHECK ((VALUE >= 0))",
        ],
        ["column mood of app.users", expect.stringContaining("app.mood")],
        ["column score of app.users", expect.stringContaining("app.score")],
        ["column pair of app.users", expect.stringContaining("app.pair")],
        ["constraint one_nickname on app.users", expect.stringContaining("EXCLUDE USING gist")],
      ]);
    } finally {
      for (const where of [url(), target.ownerUrl])
        await withOwnerClient(where, (c) =>
          c.query(
            "alter table app.users drop constraint if exists one_nickname, drop column if exists mood, drop column if exists score, drop column if exists pair; drop type if exists app.mood, app.pair; drop domain if exists app.score; drop extension if exists pg_trgm",
          ),
        );
    }
  });
});

describe("the guard", () => {
  it("checks every registered database and names one whose data plane lacks forced RLS", async () => {
    expect((await appIsolationReport()).ok).toBe(true);
    await withOwnerClient(target.ownerUrl, (c) =>
      c.query("alter table app.users no force row level security"),
    );
    try {
      const report = await appIsolationReport();
      expect(report.ok).toBe(false);
      expect(report.checks.filter((c) => !c.ok)).toEqual([
        {
          name: "database dedicated-1: app.users is tenant-isolated",
          ok: false,
          detail: "app.users: RLS not forced",
        },
      ]);
    } finally {
      await withOwnerClient(target.ownerUrl, (c) =>
        c.query("alter table app.users force row level security"),
      );
    }
  });

  it("removes only a database no customer lives on, never the primary", async () => {
    await expect(removeDatabase(url(), "primary")).rejects.toThrow(RegistryError);
    await removeDatabase(url(), "dedicated-1");
    expect((await listDatabases(url())).map((d) => d.name)).toEqual(["primary"]);
  });
});
