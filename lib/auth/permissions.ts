// Who may do what (docs/architecture.md §6): the one table the server consults; the UI only hides.
// "switched": a super-admin inside one customer's context (docs/architecture.md §6), who may do there
// what the customer's admin may — and, in read mode, change nothing (the action chain refuses).
export const ROLES = ["super_admin", "switched", "admin", "member"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  "customers.manage": ["super_admin"],
  "customers.plan": ["super_admin"],
  "usage.platform": ["super_admin"],
  "usage.own": ["switched", "admin", "member"],
  "users.manage": ["switched", "admin"],
  "organisation.edit": ["switched", "admin"],
  "audit.own": ["switched", "admin"],
  "switch.start": ["super_admin"],
  "switch.exit": ["switched"],
  "audit.platform": ["super_admin"],
  "migrations.manage": ["super_admin"],
  "system.health": ["super_admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return role != null && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
