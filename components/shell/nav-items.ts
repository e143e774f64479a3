import type { Permission } from "@/lib/auth/permissions";

export interface NavItem {
  href: string;
  label: string;
  /** Shown only to roles with this permission; the page checks it again. */
  permission?: Permission;
}

export const NAV_ITEMS: NavItem[] = [
  { href: "/", label: "Overview", permission: "usage.platform" },
  { href: "/customers", label: "Customers", permission: "customers.manage" },
  { href: "/switches", label: "Switches", permission: "switch.start" },
  { href: "/audit-log", label: "Audit log", permission: "audit.platform" },
  { href: "/home", label: "Home", permission: "usage.own" },
  { href: "/usage", label: "Usage", permission: "usage.own" },
  { href: "/users", label: "Users", permission: "users.manage" },
  { href: "/audit", label: "Audit trail", permission: "audit.own" },
  { href: "/migrations", label: "Migrations", permission: "migrations.manage" },
  { href: "/system", label: "System health", permission: "system.health" },
];
