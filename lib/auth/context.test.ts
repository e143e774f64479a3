import { beforeAll, describe, expect, it } from "vitest";
import { insertCustomers, insertUser, freshTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { resolveContext } from "./resolve-context";

const db = freshTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];

let superAdmin: string, enrolling: string, adminA: string, memberA: string, adminB: string;

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B]);
  superAdmin = await insertUser(db.owner, {
    email: "root@tenantry.example",
    tenantId: null,
    twoFactor: true,
  });
  enrolling = await insertUser(db.owner, { email: "new@tenantry.example", tenantId: null });
  adminA = await insertUser(db.owner, { email: "admin@a.example", tenantId: A, role: "admin" });
  memberA = await insertUser(db.owner, { email: "member@a.example", tenantId: A, role: "member" });
  adminB = await insertUser(db.owner, { email: "admin@b.example", tenantId: B, role: "admin" });
});

describe("resolveContext", () => {
  it("gives a super-admin the platform role and no customer", async () => {
    expect(await resolveContext(superAdmin)).toMatchObject({
      role: "super_admin",
      platformRole: "super_admin",
      customer: null,
    });
  });

  it("lets a super-admin without a second factor only enrol", async () => {
    expect(await resolveContext(enrolling)).toMatchObject({
      role: "enrolling",
      platformRole: "super_admin",
      customer: null,
      twoFactor: false,
    });
  });

  it("asks a customer's users for a second factor when the customer requires it", async () => {
    await db.owner.query("update control.customers set require_two_factor = true where id = $1", [
      B,
    ]);
    expect(await resolveContext(adminB)).toMatchObject({ role: "enrolling", customer: { id: B } });
    expect(await resolveContext(memberA)).toMatchObject({ role: "member" });
    await db.owner.query("update control.customers set require_two_factor = false where id = $1", [
      B,
    ]);
    expect(await resolveContext(adminB)).toMatchObject({ role: "admin" });
  });

  it("binds a customer user to their own customer and role", async () => {
    expect(await resolveContext(memberA)).toMatchObject({
      role: "member",
      customer: { id: A },
      membershipRole: "member",
    });
    expect(await resolveContext(adminB)).toMatchObject({ role: "admin", customer: { id: B } });
  });

  it("signs out a member whose membership was deleted, on the next call", async () => {
    expect(await resolveContext(memberA)).not.toBeNull();
    await db.owner.query("delete from control.memberships where user_id = $1", [memberA]);
    expect(await resolveContext(memberA)).toBeNull();
  });

  it("refuses a suspended customer's admin, and lets them back when reactivated", async () => {
    await db.owner.query("update control.customers set status = 'suspended' where id = $1", [A]);
    expect(await resolveContext(adminA)).toBeNull();
    await db.owner.query("update control.customers set status = 'active' where id = $1", [A]);
    expect(await resolveContext(adminA)).toMatchObject({ customer: { id: A } });
  });

  it("signs out a disabled user and an unknown ID", async () => {
    await db.owner.query("update control.users set status = 'disabled' where id = $1", [adminB]);
    expect(await resolveContext(adminB)).toBeNull();
    expect(await resolveContext(crypto.randomUUID())).toBeNull();
  });
});
