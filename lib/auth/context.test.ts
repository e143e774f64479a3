import { beforeAll, describe, expect, it } from "vitest";
import { insertCustomers, useTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { resolveContext } from "./resolve-context";

const db = useTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];

async function addUser(email: string, tenantId: string | null, role: "admin" | "member" = "admin") {
  const { rows } = await db.owner.query<{ id: string }>(
    "insert into control.users (email, display_name, platform_role) values ($1, $1, $2) returning id",
    [email, tenantId ? null : "super_admin"],
  );
  if (tenantId) {
    await db.owner.query("insert into control.memberships (tenant_id, user_id, role) values ($1, $2, $3)", [tenantId, rows[0].id, role]);
  }
  return rows[0].id;
}

let superAdmin: string, adminA: string, memberA: string, adminB: string;

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B]);
  superAdmin = await addUser("root@tenantry.example", null);
  adminA = await addUser("admin@a.example", A);
  memberA = await addUser("member@a.example", A, "member");
  adminB = await addUser("admin@b.example", B);
});

describe("resolveContext", () => {
  it("gives a super-admin the platform role and no customer", async () => {
    expect(await resolveContext(superAdmin)).toMatchObject({ role: "super_admin", platformRole: "super_admin", customer: null });
  });

  it("binds a customer user to their own customer and role", async () => {
    expect(await resolveContext(memberA)).toMatchObject({ role: "member", customer: { id: A }, membershipRole: "member" });
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
