// A schema that is multi-tenant in the application already (issue #14, Deliver 2): most tables
// carry organization_id, the rest reach it by foreign key; one keeps its rows with its project's
// organization by a foreign key of its own. Adopted with --from-column, each
// organization becomes a customer; the rows per customer equal the source's group-by, two
// customers each see only their own rows, and the revert restores the catalog and the data.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { inOwnerTransaction } from "@/db/owner";
import { withTenant } from "@/db/tenant";
import { freshTestDatabase } from "@/db/test/fixture";
import { introspect } from "./introspect";
import { planAdoption, type PlanOptions } from "./plan";
import { runAdoption, runRevert, withSources } from "./run";
import { fingerprint } from "./test/fingerprint";

const db = freshTestDatabase();
const url = () => db.database.ownerUrl;
const TABLES = [
  "organizations",
  "users",
  "projects",
  "tasks",
  "comments",
  "tags",
  "task_tags",
  "assignments",
  "project_notes",
];

beforeAll(async () => {
  await db.owner.query(`
    create schema saas;
    create table saas.organizations (id bigserial primary key, name text not null);
    create table saas.users (id bigserial primary key, organization_id bigint not null references saas.organizations, email text not null,
                             unique (organization_id, email));
    create table saas.projects (id bigserial primary key, organization_id bigint not null references saas.organizations, name text not null);
    create table saas.tasks (id bigserial primary key, project_id bigint not null references saas.projects, title text not null);
    create table saas.comments (id bigserial primary key, task_id bigint not null references saas.tasks, author_id bigint references saas.users, body text);
    create table saas.tags (id bigserial primary key, organization_id bigint not null references saas.organizations, label text not null);
    create table saas.task_tags (task_id bigint not null references saas.tasks, tag_id bigint not null references saas.tags, primary key (task_id, tag_id));
    create table saas.assignments (user_id bigint not null references saas.users, project_id bigint not null references saas.projects, primary key (user_id, project_id));
    -- Tenant consistency by hand, as some applications keep it: a foreign key that carries the
    -- organization, to a unique index that is not a constraint.
    create unique index projects_by_id_and_organization on saas.projects (id, organization_id);
    create table saas.project_notes (id bigserial primary key, project_id bigint not null, organization_id bigint not null, body text,
                                     foreign key (project_id, organization_id) references saas.projects (id, organization_id));
    create table saas.audit_events (id bigserial primary key, organization_id bigint references saas.organizations, action text not null);
    create table saas.countries (code text primary key, name text not null);
    insert into saas.organizations (name) values ('Acme'), ('Globex'), ('Initech');
    insert into saas.users (organization_id, email) values (1, 'a@acme'), (1, 'b@acme'), (2, 'a@globex'), (3, 'a@initech');
    insert into saas.projects (organization_id, name) values (1, 'Rockets'), (1, 'Anvils'), (2, 'Lamps');
    insert into saas.tasks (project_id, title) select p, 'task ' || g from generate_series(1, 3) p, generate_series(1, 4) g;
    insert into saas.comments (task_id, author_id, body) select id, null, 'note' from saas.tasks;
    insert into saas.tags (organization_id, label) values (1, 'urgent'), (2, 'later');
    insert into saas.task_tags values (1, 1), (2, 1), (9, 2);
    insert into saas.assignments values (1, 1), (3, 3);
    insert into saas.project_notes (project_id, organization_id, body) values (1, 1, 'fuel'), (3, 2, 'bulbs');
    insert into saas.audit_events (organization_id, action) values (1, 'login'), (2, 'login'), (null, 'system start');
    insert into saas.countries values ('NL', 'Netherlands');`);
});

const options: PlanOptions = {
  globalTables: ["countries"],
  from: { fromColumn: "organization_id", tenantsTable: "organizations", nameColumn: "name" },
};

async function plan(opts: PlanOptions) {
  return inOwnerTransaction(url(), async (_client, tx) => {
    const tables = await introspect(tx, "saas");
    return planAdoption("saas", tables, await withSources(tx, "saas", tables, opts));
  });
}

/** Each table's rows per organization, read through the source column (and its path). */
async function sourceCounts() {
  const paths: Record<string, string> = {
    organizations: "select id as org, count(*) from saas.organizations group by 1",
    users: "select organization_id as org, count(*) from saas.users group by 1",
    projects: "select organization_id as org, count(*) from saas.projects group by 1",
    tags: "select organization_id as org, count(*) from saas.tags group by 1",
    tasks:
      "select p.organization_id as org, count(*) from saas.tasks t join saas.projects p on p.id = t.project_id group by 1",
    comments:
      "select p.organization_id as org, count(*) from saas.comments c join saas.tasks t on t.id = c.task_id join saas.projects p on p.id = t.project_id group by 1",
    task_tags:
      "select g.organization_id as org, count(*) from saas.task_tags x join saas.tags g on g.id = x.tag_id group by 1",
    assignments:
      "select p.organization_id as org, count(*) from saas.assignments a join saas.projects p on p.id = a.project_id group by 1",
    project_notes: "select organization_id as org, count(*) from saas.project_notes group by 1",
  };
  const result: Record<string, Record<string, number>> = {};
  for (const [table, query] of Object.entries(paths)) {
    const { rows } = await db.owner.query<{ org: string; count: string }>(query);
    result[table] = Object.fromEntries(rows.map((r) => [String(r.org), Number(r.count)]));
  }
  return result;
}

describe("adoption from organization_id", () => {
  it("plans each table's way to its customer and names what has none, or two, or rows without one", async () => {
    const p = await plan(options);
    expect(p.problems).toEqual([
      "saas.assignments reaches organization_id through more than one foreign key (assignments_project_id_fkey → projects, assignments_user_id_fkey → users): choose the one to follow (--via assignments=assignments_project_id_fkey), or keep it global.",
      "1 rows of saas.audit_events have no organization_id: choose a customer for them (--null-tenant LEGACY001), or give them one, then plan again.",
      // The shortest path runs through the author, who is optional: the plan counts the rows
      // that would have no customer that way, and the admin picks the task instead.
      "12 rows of saas.comments have no organization_id along their foreign key: choose a customer for them (--null-tenant LEGACY001), or give them one, then plan again.",
    ]);
    const first = (table: string) => p.tables.find((t) => t.table === table)!.changes[0];
    expect(first("organizations")).toBe(
      "add tenant_id (existing rows: each row is a customer (the tenants table, by id), 3 customers; new rows: the tenant setting)",
    );
    expect(first("users")).toBe(
      "add tenant_id (existing rows: the customer of their organization_id, 3 customers; new rows: the tenant setting)",
    );
    expect(first("tasks")).toBe(
      "add tenant_id (existing rows: their parent's, through tasks_project_id_fkey → projects → organization_id, 2 customers; new rows: the tenant setting)",
    );
    expect(p.customers!.map((c) => [c.value, c.name, c.isNew])).toEqual([
      ["1", "Acme", true],
      ["2", "Globex", true],
      ["3", "Initech", true],
    ]);

    // Without the tenants table and the global choice, countries has no way to a customer.
    const bare = await plan({ from: { fromColumn: "organization_id" } });
    expect(bare.problems).toContain(
      "saas.countries has no organization_id and no foreign key leading to a table that has it: keep it global, or add the column, then plan again.",
    );
  });

  const chosen: PlanOptions = {
    ...options,
    from: {
      ...options.from!,
      nullTenant: "LEGACY001",
      via: { comments: "comments_task_id_fkey", assignments: "assignments_project_id_fkey" },
    },
  };

  it("names rows that point at another organization's row, which the composite keys would refuse", async () => {
    // Initech's user assigned to Acme's project: the assignment follows its project, to Acme.
    await db.owner.query("insert into saas.assignments values (4, 1)");
    try {
      expect((await plan(chosen)).problems).toEqual([
        "1 rows of saas.assignments point through assignments_user_id_fkey at a row of users whose organization_id is another customer's: the composite key would refuse them. Correct or delete them (or map both values to one customer), then plan again.",
      ]);
      // Before, the run got as far as "composite foreign keys"; now it refuses at its plan.
      const before = await fingerprint(db, "saas");
      expect(await runAdoption(url(), { schema: "saas", ...chosen })).toMatchObject({
        ok: false,
        step: "plan",
      });
      expect(await fingerprint(db, "saas")).toEqual(before);
      // Acme and Initech mapped to one customer are one: nothing points across.
      const merged = { ...chosen.from!, mapping: { "1": "LEGACY001", "3": "LEGACY001" } };
      expect((await plan({ ...chosen, from: merged })).problems).toEqual([]);
    } finally {
      await db.owner.query("delete from saas.assignments where user_id = 4");
    }
  });

  it("a failure after the backfill leaves the schema, its data and the customers as before", async () => {
    const before = await fingerprint(db, "saas");
    const { rows: customersBefore } = await db.owner.query(
      "select count(*)::int as n from control.customers",
    );
    const result = await runAdoption(url(), {
      schema: "saas",
      ...chosen,
      failAfter: "backfill the tenant column",
    });
    expect(result).toMatchObject({ ok: false, step: "backfill the tenant column" });
    expect(await fingerprint(db, "saas")).toEqual(before);
    const { rows: customersAfter } = await db.owner.query(
      "select count(*)::int as n from control.customers",
    );
    expect(customersAfter).toEqual(customersBefore);
  });

  it("makes each organization a customer, with the source's counts, and each of two sees only its own rows; the revert restores it", async () => {
    const before = await fingerprint(db, "saas");
    const expected = await sourceCounts();
    const result = await runAdoption(url(), { schema: "saas", ...chosen });
    if (!result.ok) throw new Error(result.instructions);
    expect(result.report.summary.text).toBe("10 of 11 tables isolated; 1 global");
    expect((await fingerprint(db, "saas")).data).toEqual(before.data);

    // The mapping is kept with the run; the customers carry the organizations' names.
    const { rows: runs } = await db.owner.query(
      "select options -> 'customers' as customers from control.adoption_runs where id = $1",
      [result.runId],
    );
    const mapping = runs[0].customers as { value: string; id: string; name: string }[];
    expect(mapping.map((m) => [m.value, m.name])).toEqual([
      ["1", "Acme"],
      ["2", "Globex"],
      ["3", "Initech"],
    ]);
    const idOf = Object.fromEntries(mapping.map((m) => [m.value, m.id]));
    const { rows: names } = await db.owner.query(
      "select name from control.customers where id = any($1) order by name",
      [mapping.map((m) => m.id)],
    );
    expect(names.map((r) => r.name)).toEqual(["Acme", "Globex", "Initech"]);

    // Rows per customer equal the source's rows per organization, table by table.
    for (const table of TABLES) {
      const { rows } = await db.owner.query<{ tenant_id: string; n: number }>(
        `select tenant_id, count(*)::int as n from saas.${table} group by 1`,
      );
      const mapped = Object.fromEntries(
        Object.entries(expected[table]).map(([org, n]) => [idOf[org], n]),
      );
      expect(Object.fromEntries(rows.map((r) => [r.tenant_id, r.n])), table).toEqual(mapped);
    }
    // The audit event without an organization went to LEGACY001, as chosen.
    const { rows: legacy } = await db.owner.query(
      "select action from saas.audit_events where tenant_id = 'LEGACY001'",
    );
    expect(legacy).toEqual([{ action: "system start" }]);

    // Acme and Globex, each through the tenant door: their own rows, none of the other's.
    for (const [org, other] of [
      ["1", "2"],
      ["2", "1"],
    ]) {
      const seen = await withTenant(
        { tenantId: idOf[org] },
        async (tx) => {
          const counts: Record<string, number> = {};
          for (const table of TABLES)
            counts[table] = Number(
              (
                await tx.execute(
                  sql`select count(*) as n from ${sql.identifier("saas")}.${sql.identifier(table)}`,
                )
              ).rows[0].n,
            );
          const foreign = await tx.execute(
            sql`select count(*)::int as n from saas.projects where organization_id = ${Number(other)}`,
          );
          return { counts, foreign: foreign.rows[0].n };
        },
        { readOnly: true },
      );
      expect(seen.foreign).toBe(0);
      expect(seen.counts).toEqual(
        Object.fromEntries(TABLES.map((t) => [t, expected[t][org] ?? 0])),
      );
    }
    // Nor can Globex write into Acme's project.
    await expect(
      withTenant({ tenantId: idOf["2"] }, (tx) =>
        tx.execute(sql`insert into saas.tasks (project_id, title) values (1, 'intrusion')`),
      ),
    ).rejects.toThrow();

    const reverted = await runRevert(url(), { schema: "saas" });
    if (!reverted.ok) throw new Error(reverted.instructions);
    expect(await fingerprint(db, "saas")).toEqual(before);
  });
});
