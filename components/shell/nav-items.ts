import type { Permission } from "@/lib/auth/permissions";

export interface NavItem {
  href: string;
  label: string;
  /** Shown only to roles with this permission; the page checks it again. */
  permission?: Permission;
}

export const NAV_ITEMS: NavItem[] = [
  { href: "/", label: "Overview", permission: "usage.read-all" },
  { href: "/customers", label: "Customers", permission: "customers.manage" },
  { href: "/switches", label: "Switches", permission: "switches.start" },
  { href: "/audit-log", label: "Audit log", permission: "audit-log.read" },
  { href: "/home", label: "Home", permission: "usage.read" },
  { href: "/usage", label: "Usage", permission: "usage.read" },
  { href: "/users", label: "Users", permission: "users.manage" },
  { href: "/audit-trail", label: "Audit trail", permission: "audit-trail.read" },
  { href: "/api-keys", label: "API keys", permission: "api-keys.manage" },
  { href: "/adoption", label: "Adoption", permission: "adoption.manage" },
  { href: "/databases", label: "Databases", permission: "databases.manage" },
  { href: "/alerts", label: "Alerts", permission: "alerts.manage" },
  { href: "/super-admins", label: "Super-admins", permission: "super-admins.read" },
  { href: "/system", label: "System health", permission: "system.read" },
  { href: "/account", label: "Account", permission: "account.manage" },
];
