import { describe, expect, it } from "vitest";
import { can, keyCan, PERMISSIONS, ROLES, type Permission, type Role } from "./permissions";

// docs/architecture.md §6, written out again by hand so a change to the table is a deliberate one.
const EXPECTED: Record<Permission, Record<Role, boolean>> = {
  "customers.manage": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
  "customers.change-plan": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
  "usage.read-all": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
  "usage.read": { super_admin: false, switched: true, admin: true, member: true, enrolling: false },
  "users.manage": {
    super_admin: false,
    switched: true,
    admin: true,
    member: false,
    enrolling: false,
  },
  "organisation.edit": {
    super_admin: false,
    switched: true,
    admin: true,
    member: false,
    enrolling: false,
  },
  "audit-trail.read": {
    super_admin: false,
    switched: true,
    admin: true,
    member: false,
    enrolling: false,
  },
  "switches.start": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
  "switches.exit": {
    super_admin: false,
    switched: true,
    admin: false,
    member: false,
    enrolling: false,
  },
  "audit-log.read": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
  "adoption.manage": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
  "system.read": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
  "databases.manage": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
  "data.export-any": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
  "data.export-own": {
    super_admin: false,
    switched: false,
    admin: true,
    member: false,
    enrolling: false,
  },
  "api-keys.manage": {
    super_admin: false,
    switched: true,
    admin: true,
    member: false,
    enrolling: false,
  },
  "api-keys.manage-any": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
  "api.customer.read": {
    super_admin: false,
    switched: true,
    admin: true,
    member: true,
    enrolling: false,
  },
  "api.usage.read": {
    super_admin: false,
    switched: true,
    admin: true,
    member: true,
    enrolling: false,
  },
  "api.usage.write": {
    super_admin: false,
    switched: true,
    admin: true,
    member: false,
    enrolling: false,
  },
  "alerts.manage": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
  "account.manage": {
    super_admin: true,
    switched: true,
    admin: true,
    member: true,
    enrolling: true,
  },
  "accounts.manage-any": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
  "super-admins.read": {
    super_admin: true,
    switched: false,
    admin: false,
    member: false,
    enrolling: false,
  },
};

describe("permissions", () => {
  it("covers exactly the actions of the design", () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const permission of Object.keys(EXPECTED) as Permission[]) {
    for (const role of ROLES) {
      it(`${role} ${EXPECTED[permission][role] ? "may" : "may not"} ${permission}`, () => {
        expect(can(role, permission)).toBe(EXPECTED[permission][role]);
      });
    }
  }

  it("grants nothing without a role", () => {
    for (const permission of Object.keys(EXPECTED) as Permission[]) {
      expect(can(null, permission)).toBe(false);
      expect(can(undefined, permission)).toBe(false);
    }
  });
});

describe("API keys' scopes", () => {
  it("grant only the endpoint each names, and nothing of the console", () => {
    expect(keyCan(["usage:read"], "api.usage.read")).toBe(true);
    expect(keyCan(["usage:read"], "api.usage.write")).toBe(false);
    expect(keyCan(["usage:write"], "api.usage.write")).toBe(true);
    expect(keyCan(["customer:read"], "api.customer.read")).toBe(true);
    expect(keyCan(["platform:read"], "databases.manage")).toBe(true);
    expect(keyCan(["usage:read", "usage:write", "customer:read"], "databases.manage")).toBe(false);
    for (const permission of Object.keys(PERMISSIONS) as Permission[])
      if (
        !permission.startsWith("api.") &&
        !["databases.manage", "adoption.manage"].includes(permission)
      )
        expect(
          keyCan(["usage:read", "usage:write", "customer:read", "platform:read"], permission),
        ).toBe(false);
  });
});
