// Who may do what (docs/architecture.md §6): the one table the server consults; the UI only hides.
// "switched": a super-admin inside one customer's context (docs/architecture.md §6), who may do there
// what the customer's admin may — and, in read mode, change nothing (the action chain refuses).
export const ROLES = ["super_admin", "switched", "admin", "member"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  "customers.manage": ["super_admin"],
  "customers.change-plan": ["super_admin"],
  "usage.read-all": ["super_admin"],
  "usage.read": ["switched", "admin", "member"],
  "users.manage": ["switched", "admin"],
  "organisation.edit": ["switched", "admin"],
  "audit-trail.read": ["switched", "admin"],
  "switches.start": ["super_admin"],
  "switches.exit": ["switched"],
  "audit-log.read": ["super_admin"],
  "adoption.manage": ["super_admin"],
  "system.read": ["super_admin"],
  // The registry of databases, placement and moves, and their status API.
  "databases.manage": ["super_admin"],
  // A customer's data as an archive: any customer's for platform staff, one's own for its admin.
  "data.export-any": ["super_admin"],
  "data.export-own": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return role != null && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
