// A fault in the middle of a multi-row action (issue #20): the database gives up on a statement
// (a statement timeout, as a full disk or a lost lock would) after the action has written part
// of its rows. Nothing is half-written: the action's rows and its ok event are rolled back
// together, the user is told, the failure is audited on its own, and the chains verify.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshTestDatabase, insertUser } from "@/db/test/fixture";
import type { RequestContext } from "./context";

const request = vi.hoisted(() => ({ ctx: null as RequestContext | null }));
vi.mock("./context", () => ({ getRequestContext: async () => request.ctx }));
vi.mock("next/headers", async () => (await import("./test/next-plumbing")).nextHeaders("faults"));
vi.mock("next/cache", async () => (await import("./test/next-plumbing")).nextCache);
vi.mock("next/navigation", async () => (await import("./test/next-plumbing")).nextNavigation);
vi.mock("next/server", async (original) =>
  (await import("./test/next-plumbing")).nextServer(await original()),
);

const { SOMETHING_WENT_WRONG } = await import("./action");
const { resolveContext } = await import("./resolve-context");
const { createCustomerAction } = await import("../customers/actions");
const { verifyAuditChain } = await import("../audit/chain");

const db = freshTestDatabase();

beforeAll(async () => {
  const root = await insertUser(db.owner, {
    email: "root@faults.example",
    tenantId: null,
    twoFactor: true,
  });
  request.ctx = await resolveContext(root);
  // The app's statements in this database give up after half a second, as on a server whose
  // operator set a statement timeout; a lock held below makes one of them wait that long.
  await db.owner.query(
    `alter role tenantry_app in database "${db.database.name}" set statement_timeout = '500ms'`,
  );
  await db.app.end();
  db.app = (await import("@/db/client")).createPool(db.database.appUrl, { max: 4 });
  (await import("@/db/client")).setAppPool(db.app);
});
afterAll(async () => {
  await db.owner.query(`alter role tenantry_app in database "${db.database.name}" reset all`);
});

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
};

describe("a statement timeout in the middle of a multi-row action", () => {
  it("leaves nothing of it: the customer, its admin's invitation and its ok event roll back together", async () => {
    const name = "Half Written Ltd";
    // A customer with its first admin invited: two rows in two tables, and the event.
    const newCustomer = () =>
      form({
        name,
        contactEmail: "ops@half.example",
        plan: "team",
        trialDays: "0",
        adminEmail: "admin@half.example",
      });
    // The customer's row goes in first; its admin's invitation waits behind this lock and
    // times out.
    const holder = await db.owner.connect();
    await holder.query("begin");
    await holder.query("lock table control.invites in access exclusive mode");
    let answer;
    try {
      answer = await createCustomerAction(null, newCustomer());
    } finally {
      await holder.query("rollback");
      holder.release();
    }
    expect(answer).toEqual({ ok: false, error: SOMETHING_WENT_WRONG });
    const { rows: customers } = await db.owner.query(
      "select id from control.customers where name = $1",
      [name],
    );
    expect(customers).toEqual([]);
    const { rows: invites } = await db.owner.query(
      "select id from control.invites where email = 'admin@half.example'",
    );
    expect(invites).toEqual([]);
    const { rows: events } = await db.owner.query(
      "select outcome from control.audit_events where action = 'customers.create' order by id",
    );
    expect(events).toEqual([{ outcome: "failed" }]);
    expect((await verifyAuditChain()).ok).toBe(true);

    // The same action, with nothing in its way, goes through whole.
    const again = await createCustomerAction(null, newCustomer());
    expect(again).toMatchObject({ ok: true });
    const { rows: written } = await db.owner.query(
      "select count(*)::int as n from control.invites i join control.customers c on c.id = i.tenant_id where c.name = $1",
      [name],
    );
    expect(written).toEqual([{ n: 1 }]);
  });
});
