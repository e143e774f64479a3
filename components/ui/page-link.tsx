import Link from "next/link";
import type { KeysetPage } from "@/lib/lists/keyset";

/** A link to the page either side of a list's, or its label greyed out where there is none. */
export function PageLink({
  href,
  label,
  children,
}: {
  href: string | null;
  label: string;
  children: React.ReactNode;
}) {
  if (href === null) {
    return (
      <span aria-disabled="true" className="text-slate-400">
        {children}
      </span>
    );
  }
  return (
    <Link
      href={href}
      aria-label={label}
      className="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-100"
    >
      {children}
    </Link>
  );
}

/**
 * Where a keyset page sits in its list, with links to the pages either side, for a list that is
 * not a DataTable: `href` makes the URL of a cursor (null: the first page).
 */
export function ListPages({
  list,
  href,
  label = "Pages",
}: {
  list: KeysetPage<unknown>;
  href: (cursor: string | null) => string;
  /** The pager's name, where a page has more than one. */
  label?: string;
}) {
  if (!list.previous && !list.next) return null;
  const last = list.first + list.rows.length - 1;
  return (
    <nav aria-label={label} className="flex items-center justify-end gap-3 px-4 py-3 text-sm">
      <span className="text-slate-600">
        {list.first.toLocaleString("en")}–{last.toLocaleString("en")} of{" "}
        {list.total.count.toLocaleString("en")}
      </span>
      <PageLink href={list.previous && href(list.previous.cursor)} label="Previous page">
        ‹ Previous
      </PageLink>
      <PageLink href={list.next && href(list.next.cursor)} label="Next page">
        Next ›
      </PageLink>
    </nav>
  );
}
