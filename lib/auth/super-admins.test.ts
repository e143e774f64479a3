import { describe, expect, it } from "vitest";
import { withSystem } from "@/db/tenant";
import { useTestDatabase } from "@/db/test/fixture";
import { checkCredentials } from "./sign-in";
import { DuplicateEmailError, insertSuperAdmin } from "./super-admins";

const db = useTestDatabase();

describe("insertSuperAdmin", () => {
  it("creates a super-admin who can sign in, and refuses the same email twice", async () => {
    const input = { email: "First@Tenantry.example", displayName: "First", password: "a long enough password" };
    await withSystem("admin-create", (tx) => insertSuperAdmin(tx, input));
    const { rows } = await db.owner.query("select email, platform_role from control.users");
    expect(rows).toEqual([{ email: "first@tenantry.example", platform_role: "super_admin" }]);
    expect(await checkCredentials({ email: input.email, password: input.password, ip: "10.1.1.1" })).toMatchObject({ ok: true });
    await expect(withSystem("admin-create", (tx) => insertSuperAdmin(tx, input))).rejects.toBeInstanceOf(DuplicateEmailError);
  });
});
