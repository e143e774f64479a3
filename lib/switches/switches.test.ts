import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { customers, switches } from "@/db/schema";
import { withPlatform, withTenant } from "@/db/tenant";
import { createInvite } from "../invites/mutations";
import { listAccessesTo } from "./queries";
import { insertCustomers, insertUser, freshTestDatabase } from "@/db/test/fixture";
import { resolveContext } from "../auth/resolve-context";
import { generateCustomerId } from "../customers/ids";

const db = freshTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];
let root: string;

async function openSwitch(tenantId: string, startedAt: Date, minutes: number, mode = "read") {
  const { rows } = await db.owner.query<{ id: string }>(
    `insert into control.switches (super_admin_id, super_admin_email, tenant_id, reason, mode, started_at, expires_at)
     values ($1, 'root@tenantry.example', $2, 'ticket OPS-77: checking invoices', $3, $4::timestamptz, $4::timestamptz + $5 * interval '1 minute') returning id`,
    [root, tenantId, mode, startedAt, minutes],
  );
  return rows[0].id;
}

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B]);
  root = await insertUser(db.owner, {
    email: "root@tenantry.example",
    tenantId: null,
    twoFactor: true,
  });
});

describe("switching", () => {
  it("puts a switched super-admin in the customer's context with the switch's mode", async () => {
    const id = await openSwitch(A, new Date(), 30, "write");
    expect(await resolveContext(root)).toMatchObject({
      role: "switched",
      customer: { id: A },
      activeSwitch: { id, mode: "write" },
    });
    await db.owner.query("update control.switches set ended_at = now() where id = $1", [id]);
    expect(await resolveContext(root)).toMatchObject({
      role: "super_admin",
      customer: null,
      activeSwitch: null,
    });
  });

  it("ends a switch past its expiry on the next context resolution, and audits it", async () => {
    const id = await openSwitch(A, new Date(Date.now() - 31 * 60_000), 30);
    const ctx = await resolveContext(root);
    expect(ctx).toMatchObject({ role: "super_admin", activeSwitch: null });
    const { rows } = await db.owner.query(
      "select end_reason, ended_at is not null as ended from control.switches where id = $1",
      [id],
    );
    expect(rows[0]).toEqual({ end_reason: "expired", ended: true });
    const events = await db.owner.query(
      "select tenant_id, acting_as from control.audit_events where action = 'switches.end' and target_id = $1",
      [id],
    );
    expect(events.rows).toEqual([{ tenant_id: A, acting_as: id }]);
  });

  it("refuses a second open switch for the same super-admin, and one longer than 4 hours", async () => {
    await openSwitch(A, new Date(), 30);
    await expect(openSwitch(B, new Date(), 30)).rejects.toThrow(/switches_one_open_per_admin/);
    await db.owner.query("update control.switches set ended_at = now() where ended_at is null");
    await expect(openSwitch(B, new Date(), 241)).rejects.toThrow(/switches_at_most_four_hours/);
  });

  it("shows a customer the switches into it and none into another customer", async () => {
    const seenByA = await withTenant(
      { tenantId: A },
      (tx) => tx.select({ tenantId: switches.tenantId }).from(switches),
      { readOnly: true },
    );
    expect(seenByA.length).toBeGreaterThan(0);
    expect(new Set(seenByA.map((s) => s.tenantId))).toEqual(new Set([A]));
    const seenByB = await withTenant({ tenantId: B }, (tx) => tx.select().from(switches), {
      readOnly: true,
    });
    expect(seenByB).toEqual([]);
  });

  it("ends every open switch into a customer when it is suspended, on the record, and a write switch into it reads only", async () => {
    const id = await openSwitch(A, new Date(), 30, "write");
    const setStatus = (status: "suspended" | "active") =>
      withPlatform(
        { userId: root, email: "root@tenantry.example", platformRole: "super_admin" },
        { action: "customers.transition", tenantId: A },
        (tx) => tx.update(customers).set({ status }).where(eq(customers.id, A)),
      );
    await setStatus("suspended");
    const { rows } = await db.owner.query(
      "select end_reason, ended_at is not null as ended from control.switches where id = $1",
      [id],
    );
    expect(rows[0]).toEqual({ end_reason: "customer suspended", ended: true });
    const events = await db.owner.query(
      "select tenant_id, details->>'reason' as reason from control.audit_events where action = 'switches.end' and target_id = $1",
      [id],
    );
    expect(events.rows).toEqual([{ tenant_id: A, reason: "customer suspended" }]);
    expect(await resolveContext(root)).toMatchObject({ role: "super_admin", activeSwitch: null });

    // A write switch that somehow exists into a suspended customer is read-only.
    const later = await openSwitch(A, new Date(), 30, "write");
    expect(await resolveContext(root)).toMatchObject({ activeSwitch: { id: later, mode: "read" } });
    await db.owner.query("update control.switches set ended_at = now() where id = $1", [later]);
    await setStatus("active");
  });

  it("ends a super-admin's switch when the role is taken away, and never resumes it", async () => {
    const id = await openSwitch(B, new Date(), 30, "write");
    await db.owner.query("update control.users set platform_role = null where id = $1", [root]);
    await db.owner.query("update control.users set platform_role = 'super_admin' where id = $1", [
      root,
    ]);
    expect(await resolveContext(root)).toMatchObject({ role: "super_admin", activeSwitch: null });
    const { rows } = await db.owner.query("select end_reason from control.switches where id = $1", [
      id,
    ]);
    expect(rows[0]).toEqual({ end_reason: "super-admin role removed" });
  });

  it("lists the invitations created under a switch on that switch's record, for that customer only", async () => {
    const id = await openSwitch(A, new Date(), 30, "write");
    await withTenant({ tenantId: A }, (tx) =>
      createInvite(tx, {
        tenantId: A,
        email: "new@a.example",
        role: "member",
        invitedBy: root,
        switchId: id,
      }),
    );
    await withTenant({ tenantId: A }, (tx) =>
      createInvite(tx, { tenantId: A, email: "other@a.example", role: "member", invitedBy: null }),
    );
    const accesses = await withTenant({ tenantId: A }, (tx) => listAccessesTo(tx, A), {
      readOnly: true,
    });
    expect(accesses.find((a) => a.id === id)?.invites.map((i) => i.email)).toEqual([
      "new@a.example",
    ]);
    // Another customer sees neither the switch nor its invitations.
    expect(
      await withTenant({ tenantId: B }, (tx) => listAccessesTo(tx, A), { readOnly: true }),
    ).toEqual([]);
    await db.owner.query("update control.switches set ended_at = now() where id = $1", [id]);
  });
});
