// Who may do what (DESIGN §4): the one table the server consults; the UI only hides.
export const ROLES = ["super_admin", "admin", "member"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  "customers.manage": ["super_admin"],
  "customers.plan": ["super_admin"],
  "usage.platform": ["super_admin"],
  "usage.own": ["admin", "member"],
  "users.manage": ["admin"],
  "organisation.edit": ["admin"],
  "audit.own": ["admin"],
  "switch.start": ["super_admin"],
  "audit.platform": ["super_admin"],
  "migrations.manage": ["super_admin"],
  "system.health": ["super_admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return role != null && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
