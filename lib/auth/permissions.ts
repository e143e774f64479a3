// Who may do what (docs/architecture.md §6): the one table the server consults; the UI only hides.
// "switched": a super-admin inside one customer's context (docs/architecture.md §6), who may do there
// what the customer's admin may — and, in read mode, change nothing (the action chain refuses).
// "enrolling": a user who must sign in with a second factor and has none yet (every super-admin,
// and a customer's users when it asks): they may set one up, and nothing else.
export const ROLES = ["super_admin", "switched", "admin", "member", "enrolling"] as const;
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
  // API keys: a customer's own (its admins, or a super-admin switched in to write), any
  // customer's and the platform tokens (super-admins).
  "api-keys.manage": ["switched", "admin"],
  "api-keys.manage-any": ["super_admin"],
  // The platform API (docs/architecture.md §14), to a signed-in user of the customer.
  "api.customer.read": ["switched", "admin", "member"],
  "api.usage.read": ["switched", "admin", "member"],
  "api.usage.write": ["switched", "admin"],
  // Alerts: cross-tenant attempts, quotas, trials, failures, the guard, replication slots.
  "alerts.manage": ["super_admin"],
  // One's own account: the second factor, one's sessions.
  "account.manage": ["super_admin", "switched", "admin", "member", "enrolling"],
  // A customer's admins: their own users' sessions and reset links; super-admins: anyone's.
  "accounts.manage-any": ["super_admin"],
  // Who holds platform power: the super-admins, their second factor and last sign-in.
  "super-admins.read": ["super_admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return role != null && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export type Scope = (typeof SCOPES)[number];
export const SCOPES = ["usage:read", "usage:write", "customer:read", "platform:read"] as const;

/**
 * What an API key may do: the permission an endpoint asks for, granted by one scope. A
 * customer's key acts as that customer; a platform token (`platform:read`) reads the platform's
 * status API only. Permissions not listed here are never a key's.
 */
export const SCOPE_GRANTS: Partial<Record<Permission, Scope>> = {
  "api.customer.read": "customer:read",
  "api.usage.read": "usage:read",
  "api.usage.write": "usage:write",
  "databases.manage": "platform:read",
  "adoption.manage": "platform:read",
};

export function keyCan(scopes: readonly string[], permission: Permission): boolean {
  const scope = SCOPE_GRANTS[permission];
  return scope !== undefined && scopes.includes(scope);
}
