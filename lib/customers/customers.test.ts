import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { customerStatuses } from "@/db/schema";
import { withPlatform, withTenant, type PlatformContext } from "@/db/tenant";
import { insertCustomers, insertUser, freshTestDatabase } from "@/db/test/fixture";
import { ActionError } from "../auth/action";
import { createInvite } from "../invites/mutations";
import { CustomerIdExhaustedError, generateCustomerId, LEGACY_CUSTOMER_ID } from "./ids";
import { findTransition } from "./lifecycle";
import { changePlan, createCustomer, editCustomer, transitionCustomer } from "./mutations";

const db = freshTestDatabase();
const root: PlatformContext = {
  userId: crypto.randomUUID(),
  email: "root@tenantry.example",
  platformRole: "super_admin",
};
const asPlatform = <T>(fn: Parameters<typeof withPlatform<T>>[2]) =>
  withPlatform(root, { action: "test" }, fn);
const input = {
  name: "Acme Garage",
  contactEmail: "ops@acme.example",
  plan: "team",
  trialDays: 14,
};

const [TAKEN, FRESH] = [generateCustomerId(), generateCustomerId()];

beforeAll(async () => {
  await insertCustomers(db.owner, [TAKEN]);
});

async function statusOf(id: string) {
  const { rows } = await db.owner.query(
    "select status, version from control.customers where id = $1",
    [id],
  );
  return rows[0];
}

describe("creating a customer", () => {
  it("retries past an ID that is taken and succeeds", async () => {
    const ids = [TAKEN, FRESH];
    const { id } = await asPlatform((tx) =>
      createCustomer(tx, input, { generate: () => ids.shift()! }),
    );
    expect(id).toBe(FRESH);
    expect(await statusOf(FRESH)).toEqual({ status: "trial", version: 1 });
  });

  it("fails cleanly when every attempt collides, creating nothing", async () => {
    const before = await db.owner.query("select count(*)::int as n from control.customers");
    await expect(
      asPlatform((tx) =>
        createCustomer(tx, { ...input, name: "Never" }, { generate: () => TAKEN, attempts: 3 }),
      ),
    ).rejects.toBeInstanceOf(CustomerIdExhaustedError);
    const after = await db.owner.query("select count(*)::int as n from control.customers");
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it("places a new customer by its plan: shared on the primary, dedicated on the least-used dedicated database", async () => {
    const team = await asPlatform((tx) => createCustomer(tx, { ...input, name: "Shared One" }));
    expect(team).toMatchObject({ database: "primary", asPlanned: true });
    // No dedicated database yet: the enterprise customer starts on the primary, and is told so.
    const early = await asPlatform((tx) =>
      createCustomer(tx, { ...input, name: "Big One", plan: "enterprise" }),
    );
    expect(early).toMatchObject({ database: "primary", asPlanned: false });
    await db.owner.query(
      "insert into control.databases (name, kind, env_var) values ('dedicated-a', 'dedicated', 'UNUSED_A'), ('dedicated-b', 'dedicated', 'UNUSED_B')",
    );
    try {
      await db.owner.query("update control.customers set database = 'dedicated-a' where id = $1", [
        early.id,
      ]);
      const placed = await asPlatform((tx) =>
        createCustomer(tx, { ...input, name: "Bigger One", plan: "enterprise" }),
      );
      expect(placed).toMatchObject({ database: "dedicated-b", asPlanned: true });
      await db.owner.query("update control.customers set database = 'primary' where id = any($1)", [
        [early.id, placed.id],
      ]);
    } finally {
      await db.owner.query("delete from control.databases where name like 'dedicated-%'");
    }
  });

  it("refuses an unknown plan and counts customers of the same name", async () => {
    await expect(
      asPlatform((tx) => createCustomer(tx, { ...input, plan: "platinum" })),
    ).rejects.toThrow("There is no plan called platinum.");
    const { sameName } = await asPlatform((tx) =>
      createCustomer(tx, { ...input, name: "ACME garage", trialDays: 0 }),
    );
    expect(sameName).toBe(1);
  });
});

describe("the lifecycle", () => {
  for (const from of customerStatuses) {
    for (const to of customerStatuses) {
      const allowed = Boolean(findTransition(from, to));
      it(`${from} → ${to} is ${allowed ? "allowed" : "refused"}`, async () => {
        const [id] = await insertCustomers(db.owner, [generateCustomerId()]);
        await db.owner.query("update control.customers set status = $2 where id = $1", [id, from]);
        const attempt = asPlatform((tx) =>
          transitionCustomer(tx, { id, version: 1, to, reason: "ticket OPS-1234" }),
        );
        if (allowed) {
          await attempt;
          expect(await statusOf(id)).toEqual({ status: to, version: 2 });
        } else {
          await expect(attempt).rejects.toBeInstanceOf(ActionError);
          expect(await statusOf(id)).toEqual({ status: from, version: 1 });
        }
      });
    }
  }

  it("asks a reason to suspend, and keeps the legacy customer from offboarding", async () => {
    const [id] = await insertCustomers(db.owner, [generateCustomerId()]);
    await expect(
      asPlatform((tx) => transitionCustomer(tx, { id, version: 1, to: "suspended", reason: " " })),
    ).rejects.toThrow(/needs a reason/);
    await insertCustomers(db.owner, [LEGACY_CUSTOMER_ID]);
    await expect(
      asPlatform((tx) =>
        transitionCustomer(tx, {
          id: LEGACY_CUSTOMER_ID,
          version: 1,
          to: "offboarding",
          reason: "cleanup of old data",
        }),
      ),
    ).rejects.toThrow(/legacy customer/);
  });
});

describe("edits", () => {
  it("refuses an edit based on an older version instead of overwriting", async () => {
    const [id] = await insertCustomers(db.owner, [generateCustomerId()]);
    await asPlatform((tx) =>
      editCustomer(tx, { id, version: 1, name: "First editor", contactEmail: "a@x.example" }),
    );
    await expect(
      asPlatform((tx) =>
        editCustomer(tx, { id, version: 1, name: "Second editor", contactEmail: "b@x.example" }),
      ),
    ).rejects.toThrow(/changed by someone else/);
    const { rows } = await db.owner.query(
      "select name, version from control.customers where id = $1",
      [id],
    );
    expect(rows[0]).toEqual({ name: "First editor", version: 2 });
  });

  it("changes the plan with per-customer overrides", async () => {
    const [id] = await insertCustomers(db.owner, [generateCustomerId()]);
    const { after } = await asPlatform((tx) =>
      changePlan(tx, {
        id,
        version: 1,
        plan: "business",
        overrides: { maxUsers: 7, maxRows: undefined },
      }),
    );
    expect(after.plan).toBe("business");
    expect(after.quotaOverrides).toEqual({ maxUsers: 7 });
  });
});

describe("the plan's user limit", () => {
  it("refuses an invitation beyond the limit, counting open invitations", async () => {
    const [id] = await insertCustomers(db.owner, [generateCustomerId()]); // the free plan: 3 users
    await insertUser(db.owner, {
      email: `admin@${id.toLowerCase()}.example`,
      tenantId: id,
      role: "admin",
    });
    const invite = (email: string) =>
      withTenant({ tenantId: id }, (tx) =>
        createInvite(tx, { tenantId: id, email, role: "member", invitedBy: null }),
      );
    await invite("two@x.example");
    await invite("three@x.example");
    await expect(invite("four@x.example")).rejects.toThrow(
      /Free plan allows 3 console users, and 3 are taken/,
    );
    await db.owner.query(
      "update control.customers set quota_overrides = '{\"maxUsers\": 4}' where id = $1",
      [id],
    );
    await invite("four@x.example");
  });
});

describe("users of one customer, seen from another", () => {
  it("cannot be read, suspended or deleted through withTenant of another customer", async () => {
    const [A, B] = await insertCustomers(db.owner, [generateCustomerId(), generateCustomerId()]);
    const userOfB = await insertUser(db.owner, {
      email: `member@${B.toLowerCase()}.example`,
      tenantId: B,
    });
    // Each of the users' three policies (migration 0075), from A's door and then from B's.
    const through = (tenantId: string) =>
      withTenant({ tenantId }, async (tx) => ({
        read: (await tx.execute(sql`select id from control.users where id = ${userOfB}`)).rowCount,
        suspended: (
          await tx.execute(
            sql`update control.users set status = 'disabled' where id = ${userOfB} and status = 'active'`,
          )
        ).rowCount,
        deleted: (await tx.execute(sql`delete from control.users where id = ${userOfB}`)).rowCount,
      }));
    expect(await through(A)).toEqual({ read: 0, suspended: 0, deleted: 0 });
    const { rows } = await db.owner.query("select status from control.users where id = $1", [
      userOfB,
    ]);
    expect(rows).toEqual([{ status: "active" }]);
    expect(await through(B)).toEqual({ read: 1, suspended: 1, deleted: 1 });
  });
});
