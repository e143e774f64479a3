import { userInfo } from "node:os";
import { describe, expect, it } from "vitest";
import { withSystem } from "@/db/tenant";
import { freshTestDatabase } from "@/db/test/fixture";
import { checkCredentials } from "./sign-in";
import { DuplicateEmailError, hasSuperAdmin, insertSuperAdmin } from "./super-admins";

const db = freshTestDatabase();

describe("insertSuperAdmin", () => {
  it("creates a super-admin who can sign in, and refuses the same email twice", async () => {
    const input = {
      email: "First@Tenantry.example",
      displayName: "First",
      password: "a long enough password",
      via: "admin-create" as const,
    };
    expect(await hasSuperAdmin()).toBe(false);
    const id = await withSystem("admin-create", (tx) => insertSuperAdmin(tx, input));
    expect(await hasSuperAdmin()).toBe(true);
    const { rows } = await db.owner.query("select email, platform_role from control.users");
    expect(rows).toEqual([{ email: "first@tenantry.example", platform_role: "super_admin" }]);
    // On the platform chain: the new account and the operating-system user who created it.
    const { rows: events } = await db.owner.query(
      "select tenant_id, actor_role, target_id, details from control.audit_events where action = 'super-admins.create'",
    );
    expect(events).toEqual([
      {
        tenant_id: null,
        actor_role: "admin-create",
        target_id: id,
        details: { email: "first@tenantry.example", osUser: userInfo().username },
      },
    ]);
    expect(
      await checkCredentials({ email: input.email, password: input.password, ip: "10.1.1.1" }),
    ).toMatchObject({ ok: true });
    await expect(
      withSystem("admin-create", (tx) => insertSuperAdmin(tx, input)),
    ).rejects.toBeInstanceOf(DuplicateEmailError);
  });
});
