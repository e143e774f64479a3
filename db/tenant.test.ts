// The isolation floor of docs/architecture.md §3, against a real PostgreSQL: two customers, one table,
// and every way one of them could reach the other's rows.
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { generateCustomerId } from "../lib/customers/ids";
import { createPool, setAppPool, type Pool } from "./client";
import { auditEvents, memberships } from "./schema";
import {
  afterCommit,
  PLANNED_PER_CALL,
  withPlatform,
  withSystem,
  withTenant,
  TenantContextError,
} from "./tenant";
import { insertCustomers, insertUser, freshTestDatabase } from "./test/fixture";

const db = freshTestDatabase();

/** The database's own words: drizzle wraps them in a "Failed query" error. */
async function databaseError(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => new Error("expected the database to refuse"),
    (e: Error) => e,
  );
  return ((error.cause as Error | undefined) ?? error).message;
}
const [A, B] = [generateCustomerId(), generateCustomerId()];
const ten = Array.from({ length: 10 }, generateCustomerId);
const addMember = (tenantId: string, email: string) => insertUser(db.owner, { email, tenantId });

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B, ...ten]);
  await addMember(A, "a1@a.example");
  await addMember(A, "a2@a.example");
  await addMember(B, "b1@b.example");
  for (const id of ten)
    for (let i = 0; i < 3; i++) await addMember(id, `${i}@${id.toLowerCase()}.example`);
  await db.owner.query(
    "insert into control.audit_events (tenant_id, action, outcome) values ($1, 'a.thing', 'ok'), ($2, 'b.thing', 'ok'), (null, 'platform.thing', 'ok')",
    [A, B],
  );
});

/** `work` on the app's pool swapped for one of a single connection, whose session it then shows. */
async function onOneConnection(work: (single: Pool) => Promise<void>): Promise<void> {
  const single = createPool(db.database.appUrl, { max: 1 });
  const previous = setAppPool(single);
  try {
    await work(single);
  } finally {
    setAppPool(previous);
    await single.end();
  }
}

describe("withTenant", () => {
  it("sees only its own customer's rows with a plain select", async () => {
    const rows = await withTenant({ tenantId: A }, (tx) =>
      tx.execute(sql`select * from control.memberships`),
    );
    expect(rows.rows).toHaveLength(2);
    expect(rows.rows.every((r) => r.tenant_id === A)).toBe(true);

    const visibleCustomers = await withTenant({ tenantId: A }, (tx) =>
      tx.execute(sql`select id from control.customers`),
    );
    expect(visibleCustomers.rows).toEqual([{ id: A }]);

    const users = await withTenant({ tenantId: B }, (tx) =>
      tx.execute(sql`select email from control.users`),
    );
    expect(users.rows).toEqual([{ email: "b1@b.example" }]);
  });

  it("runs as tenantry_tenant with the tenant setting, and only inside the transaction", async () => {
    const inside = await withTenant({ tenantId: A }, (tx) =>
      tx.execute(sql`select current_user as role, current_setting('app.tenant_id') as tenant`),
    );
    expect(inside.rows[0]).toEqual({ role: "tenantry_tenant", tenant: A });
  });

  it("rejects an insert of another customer's row", async () => {
    const userId = await addMember(B, "b2@b.example");
    await db.owner.query("delete from control.memberships where user_id = $1", [userId]);
    expect(
      await databaseError(
        withTenant({ tenantId: A }, (tx) =>
          tx.insert(memberships).values({ tenantId: B, userId, role: "admin" }),
        ),
      ),
    ).toMatch(/new row violates row-level security policy/);
    const { rows } = await db.owner.query("select 1 from control.memberships where user_id = $1", [
      userId,
    ]);
    expect(rows).toHaveLength(0);
  });

  it("updates and deletes nothing of another customer's rows", async () => {
    const result = await withTenant({ tenantId: A }, async (tx) => ({
      updated: await tx.execute(
        sql`update control.memberships set role = 'admin' where tenant_id = ${B}`,
      ),
      deleted: await tx.execute(sql`delete from control.memberships where tenant_id = ${B}`),
    }));
    expect(result.updated.rowCount).toBe(0);
    expect(result.deleted.rowCount).toBe(0);
    const { rows } = await db.owner.query(
      "select role from control.memberships where tenant_id = $1",
      [B],
    );
    expect(rows.map((r) => r.role)).toEqual(["member"]);
    // The audit log is append-only for the app's roles: not even a customer's own rows go.
    expect(
      await databaseError(
        withTenant({ tenantId: A }, (tx) => tx.execute(sql`delete from control.audit_events`)),
      ),
    ).toMatch(/permission denied/);
  });

  it("sees its own audit events and neither another customer's nor the platform's", async () => {
    const rows = await withTenant({ tenantId: A }, (tx) => tx.select().from(auditEvents), {
      readOnly: true,
    });
    expect(rows.map((r) => r.action)).toEqual(["a.thing"]);
  });

  it("binds every statement of a read-only callback, not only the first", async () => {
    const [first, second] = await withTenant(
      { tenantId: B },
      async (tx) => [
        await tx.execute(
          sql`select current_user as role, count(*)::int as n from control.memberships`,
        ),
        await tx.execute(
          sql`select current_user as role, count(*)::int as n from control.memberships where tenant_id <> ${B}`,
        ),
      ],
      { readOnly: true },
    );
    expect(first.rows[0]).toEqual({ role: "tenantry_tenant", n: 1 });
    expect(second.rows[0]).toEqual({ role: "tenantry_tenant", n: 0 });
  });

  it("reads its users but not their password hashes", async () => {
    const users = await withTenant({ tenantId: A }, (tx) =>
      tx.execute(sql`select id, email, display_name, status from control.users`),
    );
    expect(users.rows).toHaveLength(2);
    expect(
      await databaseError(
        withTenant({ tenantId: A }, (tx) =>
          tx.execute(sql`select password_hash from control.users`),
        ),
      ),
    ).toMatch(/permission denied/);
  });

  it("runs work after its commit, and none after a rollback", async () => {
    const seen: string[] = [];
    const action = `after.commit.${crypto.randomUUID()}`;
    const write = (fail: boolean) =>
      withTenant({ tenantId: A }, async (tx) => {
        await tx.execute(
          sql`insert into control.audit_events (tenant_id, action, outcome) values (${A}, ${action}, 'ok')`,
        );
        afterCommit(tx, async () => {
          // Another connection sees the row: the work comes after the commit.
          const { rows } = await db.owner.query(
            "select count(*)::int as n from control.audit_events where action = $1",
            [action],
          );
          seen.push(`ran, ${rows[0].n} committed`);
        });
        if (fail) throw new Error("rolled back");
      });
    await expect(write(true)).rejects.toThrow("rolled back");
    expect(seen).toEqual([]);
    await write(false);
    expect(seen).toEqual(["ran, 1 committed"]);
    expect(() => afterCommit(drizzle(db.owner), async () => undefined)).toThrow(TenantContextError);
  });

  it("refuses writes when read-only", async () => {
    expect(
      await databaseError(
        withTenant(
          { tenantId: A },
          (tx) => tx.execute(sql`update control.memberships set role = 'admin'`),
          {
            readOnly: true,
          },
        ),
      ),
    ).toMatch(/read-only transaction/);
  });

  it("rolls back everything when the callback throws", async () => {
    await expect(
      withTenant({ tenantId: A }, async (tx) => {
        await tx.update(memberships).set({ role: "admin" }).where(eq(memberships.tenantId, A));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const { rows } = await db.owner.query(
      "select role from control.memberships where tenant_id = $1",
      [A],
    );
    expect(rows.every((r) => r.role === "member")).toBe(true);
  });

  it("refuses a malformed tenant ID before touching the database", async () => {
    for (const tenantId of ["", "abc", "A'; drop table x; --", "LEGACY002", "O0I1LOOOO"]) {
      await expect(withTenant({ tenantId }, async () => 1)).rejects.toBeInstanceOf(
        TenantContextError,
      );
    }
  });
});

describe("fail closed", () => {
  it("shows the app role nothing and lets it write nothing outside a tenant context", async () => {
    const client = await db.app.connect();
    try {
      const role = await client.query("select current_user");
      expect(role.rows[0].current_user).toBe("tenantry_app");
      for (const table of ["memberships", "customers", "users", "audit_events"]) {
        const { rows } = await client.query(`select * from control.${table}`);
        expect(rows, table).toHaveLength(0);
      }
      await expect(
        client.query(
          "insert into control.audit_events (tenant_id, action, outcome) values ($1, 'x', 'ok')",
          [A],
        ),
      ).rejects.toThrow(/row-level security/);
      const updated = await client.query("update control.memberships set role = 'admin'");
      expect(updated.rowCount).toBe(0);
    } finally {
      client.release();
    }
  });

  it("leaves nothing of the tenant on a pooled connection after commit or rollback", async () => {
    await onOneConnection(async (single) => {
      await withTenant({ tenantId: A }, (tx) => tx.execute(sql`select 1`));
      await withTenant({ tenantId: A }, (tx) => tx.execute(sql`select 1`), { readOnly: true });
      await withTenant({ tenantId: A }, (tx) => tx.execute(sql`select 1/0`), {
        readOnly: true,
      }).catch(() => undefined);
      await withTenant({ tenantId: A }, async (tx) => {
        await tx.execute(sql`select 1`);
        throw new Error("rolled back");
      }).catch(() => undefined);
      // A failure in the very first statement, which travels with BEGIN and the settings.
      await withTenant({ tenantId: A }, (tx) => tx.execute(sql`select 1/0`)).catch(() => undefined);
      const client = await single.connect();
      try {
        const { rows } = await client.query(
          "select current_user as role, coalesce(current_setting('app.tenant_id', true), '') as tenant, (select count(*)::int from control.memberships) as visible",
        );
        expect(rows[0]).toEqual({ role: "tenantry_app", tenant: "", visible: 0 });
        expect(single.totalCount).toBe(1);
      } finally {
        client.release();
      }
    });
  });

  it("prepares a statement once per session, and the prepared statement binds to each call's customer", async () => {
    const emails = (tenantId: string) =>
      withTenant(
        { tenantId },
        (tx) => tx.execute(sql`select email from control.users order by email`),
        {
          readOnly: true,
        },
      );
    await onOneConnection(async (single) => {
      expect((await emails(A)).rows).toEqual([
        { email: "a1@a.example" },
        { email: "a2@a.example" },
      ]);
      expect((await emails(B)).rows).toEqual([{ email: "b1@b.example" }]);
      // The same text on the same session, now as the platform (a system door, RLS bypassed):
      // PostgreSQL rewrites the prepared statement for the role.
      const all = await withSystem(
        "seed",
        (tx) => tx.execute(sql`select email from control.users order by email`),
        { readOnly: true },
      );
      expect(all.rows.length).toBeGreaterThan(3);
      // The platform door's statements are planned per call, not prepared.
      await withPlatform(
        { userId: null, email: null, platformRole: "super_admin", actorRole: "platform_token" },
        { action: "test.unprepared" },
        (tx) => tx.execute(sql`select count(email) from control.users`),
      );
      expect((await emails(A)).rows).toHaveLength(2);
      const client = await single.connect();
      try {
        const { rows } = await client.query(
          `select statement from pg_prepared_statements where statement like '%control.users%'`,
        );
        expect(rows).toEqual([{ statement: "select email from control.users order by email" }]);
      } finally {
        client.release();
      }
    });
  });

  it("does not prepare a select *, so a table recreated with other columns reads as it is now", async () => {
    const reshape = (columns: string) =>
      db.owner.query(`drop table if exists public.reshaped;
                      create table public.reshaped (${columns});
                      grant select on public.reshaped to tenantry_tenant`);
    const read = () =>
      withTenant({ tenantId: A }, (tx) => tx.execute(sql`select * from public.reshaped`));
    await onOneConnection(async () => {
      await reshape("a int");
      await db.owner.query("insert into public.reshaped values (1)");
      expect((await read()).rows).toEqual([{ a: 1 }]);
      await reshape("a int, b text");
      await db.owner.query("insert into public.reshaped values (2, 'two')");
      expect((await read()).rows).toEqual([{ a: 2, b: "two" }]);
    });
    await db.owner.query("drop table if exists public.reshaped");
  });

  it("does not prepare a statement planned per call, which still binds to its customer", async () => {
    await onOneConnection(async (single) => {
      const emails = (tenantId: string) =>
        withTenant(
          { tenantId },
          (tx) =>
            tx.execute(
              sql`select email from control.users where ${PLANNED_PER_CALL} and email like '%.example' order by email`,
            ),
          { readOnly: true },
        );
      for (let i = 0; i < 7; i++) await emails(A);
      expect((await emails(B)).rows).toEqual([{ email: "b1@b.example" }]);
      const client = await single.connect();
      try {
        const { rows } = await client.query(
          `select statement from pg_prepared_statements where statement like '%planned per call%'`,
        );
        expect(rows).toEqual([]);
      } finally {
        client.release();
      }
    });
  });

  it("keeps 100 concurrent calls for 10 customers on a pool of 10 apart", async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const tenantId = ten[i % ten.length];
        const rows = await withTenant({ tenantId }, async (tx) => {
          // Hold the connection a moment so calls overlap and connections are reused.
          await tx.execute(sql`select pg_sleep(0.005)`);
          return tx.select({ tenantId: memberships.tenantId }).from(memberships);
        });
        return { tenantId, seen: rows.map((r) => r.tenantId) };
      }),
    );
    for (const { tenantId, seen } of results) {
      expect(seen).toHaveLength(3);
      expect(new Set(seen)).toEqual(new Set([tenantId]));
    }
  });
});

describe("withPlatform", () => {
  it("refuses a context that is not a super-admin", async () => {
    await expect(
      withPlatform(
        { userId: crypto.randomUUID(), email: "x@a.example", platformRole: null },
        { action: "x" },
        async () => 1,
      ),
    ).rejects.toBeInstanceOf(TenantContextError);
  });

  it("sees every customer and writes an audit event in the same transaction", async () => {
    const userId = crypto.randomUUID();
    const seen = await withPlatform(
      { userId, email: "root@tenantry.example", platformRole: "super_admin" },
      { action: "customers.list" },
      (tx) => tx.execute(sql`select count(*)::int as n from control.memberships`),
    );
    expect(seen.rows[0].n).toBeGreaterThanOrEqual(33);
    const { rows } = await db.owner.query(
      "select actor_email, outcome from control.audit_events where actor_user_id = $1",
      [userId],
    );
    expect(rows).toEqual([{ actor_email: "root@tenantry.example", outcome: "ok" }]);
  });
});
