"use client";

// A table whose paging and sorting live on the server and in the URL (docs/conventions.md §1): headers and
// the pager are links, so a view can be shared, survives reload and works with the keyboard.
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";

export interface DataTableProps<T> {
  data: T[];
  columns: ColumnDef<T, unknown>[];
  total: number;
  page: number;
  size: number;
  sizes: readonly number[];
  /** Column IDs the server can sort by. */
  sortable: readonly string[];
  sort: string;
  dir: "asc" | "desc";
  caption: string;
  getRowId: (row: T) => string;
}

export function DataTable<T>({
  data,
  columns,
  total,
  page,
  size,
  sizes,
  sortable,
  sort,
  dir,
  caption,
  getRowId,
}: DataTableProps<T>) {
  const pathname = usePathname();
  const router = useRouter();
  const params = useSearchParams();
  const pages = Math.max(1, Math.ceil(total / size));

  const href = (changes: Record<string, string | number>) => {
    const next = new URLSearchParams(params.toString());
    for (const [key, value] of Object.entries(changes)) next.set(key, String(value));
    return `${pathname}?${next.toString()}`;
  };

  const table = useReactTable({
    data,
    columns,
    getRowId,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    rowCount: total,
    state: {
      sorting: [{ id: sort, desc: dir === "desc" }],
      pagination: { pageIndex: page - 1, pageSize: size },
    },
  });

  return (
    <div className="rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="text-slate-500">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const label = flexRender(header.column.columnDef.header, header.getContext());
                const sorted = header.column.id === sort ? dir : null;
                return (
                  <th
                    key={header.id}
                    scope="col"
                    className="px-4 py-2 font-medium"
                    aria-sort={
                      sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined
                    }
                  >
                    {sortable.includes(header.column.id) ? (
                      <Link
                        href={href({
                          sort: header.column.id,
                          dir: sorted === "asc" ? "desc" : "asc",
                          page: 1,
                        })}
                        className="inline-flex items-center gap-1 hover:text-slate-900"
                      >
                        {label}
                        <span aria-hidden="true">
                          {sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : ""}
                        </span>
                      </Link>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} className="border-t border-slate-100">
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className="px-4 py-2">
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <nav
        aria-label="Pages"
        className="flex items-center justify-between border-t border-slate-200 px-4 py-3 text-sm"
      >
        <span className="text-slate-600">
          {total === 0
            ? "No results"
            : `${(page - 1) * size + 1}–${Math.min(page * size, total)} of ${total.toLocaleString("en")}`}
        </span>
        <div className="flex items-center gap-3">
          <label className="flex items-center gap-2 text-slate-600">
            Rows per page
            <select
              value={size}
              onChange={(e) => router.push(href({ size: e.target.value, page: 1 }))}
              className="rounded-md border border-slate-300 px-2 py-1"
            >
              {sizes.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <PageLink href={href({ page: page - 1 })} disabled={page <= 1} label="Previous page">
            ‹ Previous
          </PageLink>
          <span aria-current="page">
            Page {page} of {pages}
          </span>
          <PageLink href={href({ page: page + 1 })} disabled={page >= pages} label="Next page">
            Next ›
          </PageLink>
        </div>
      </nav>
    </div>
  );
}

function PageLink({
  href,
  disabled,
  label,
  children,
}: {
  href: string;
  disabled: boolean;
  label: string;
  children: React.ReactNode;
}) {
  if (disabled) {
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
