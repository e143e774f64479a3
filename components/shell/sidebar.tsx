import Link from "next/link";
import { can, type Role } from "@/lib/auth/permissions";
import { NavLink } from "./nav-link";
import { NAV_ITEMS } from "./nav-items";

export function Sidebar({ role }: { role: Role }) {
  return (
    <aside className="w-56 shrink-0 border-r border-slate-200 bg-white">
      <div className="px-5 py-4">
        <Link href="/" className="text-lg font-semibold tracking-tight text-indigo-700">
          Tenantry
        </Link>
      </div>
      <nav aria-label="Main" className="px-3">
        <ul className="space-y-1">
          {NAV_ITEMS.filter((item) => !item.permission || can(role, item.permission)).map(
            (item) => (
              <li key={item.href}>
                <NavLink href={item.href}>{item.label}</NavLink>
              </li>
            ),
          )}
        </ul>
      </nav>
    </aside>
  );
}
