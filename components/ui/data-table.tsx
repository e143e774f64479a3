"use client";

// A table whose paging and sorting live on the server and in the URL (docs/conventions.md §1): headers and
// the pager are links, so a view can be shared, survives reload and works with the keyboard.
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { PageLink } from "./page-link";

/** URL changes: a value of null removes the parameter. */
export type UrlChanges = Record<string, string | number | null>;

/** Where the shown rows sit in the whole list, and the links to the pages either side. */
export interface Pager {
  /** The position of the first row shown, from 1. */
  first: number;
  total: number;
  /** False when the total is an estimate, shown as "about". */
  exact: boolean;
  page: number;
  size: number;
  previous: UrlChanges | null;
  next: UrlChanges | null;
  /** What leads back to the first page: a new sort or page size starts there. */
  restart: UrlChanges;
}

export interface DataTableProps<T> {
  data: T[];
  columns: ColumnDef<T, unknown>[];
  pager: Pager;
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
  pager,
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
  const { first, total, exact, page, size } = pager;
  const last = first + data.length - 1;
  const about = exact ? "" : "about ";
  // Estimates are rounded to three significant figures; they are no more precise than that.
  const shownTotal = (exact ? total : Number(total.toPrecision(3))).toLocaleString("en");

  const href = (changes: UrlChanges) => {
    const next = new URLSearchParams(params.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) next.delete(key);
      else next.set(key, String(value));
    }
    return `${pathname}?${next.toString()}`;
  };

  const table = useReactTable({
    data,
    columns,
    getRowId,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    state: { sorting: [{ id: sort, desc: dir === "desc" }] },
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
                          ...pager.restart,
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
          {data.length === 0 && page > 1 ? (
            // Its rows were removed since its cursor was made: the way back is the first page.
            <>
              No results past here.{" "}
              <Link href={href(pager.restart)} className="text-indigo-700 underline">
                First page
              </Link>
            </>
          ) : data.length === 0 ? (
            "No results"
          ) : (
            `${first.toLocaleString("en")}–${last.toLocaleString("en")} of ${about}${shownTotal}`
          )}
        </span>
        <div className="flex items-center gap-3">
          <label className="flex items-center gap-2 text-slate-600">
            Rows per page
            <select
              value={size}
              onChange={(e) => router.push(href({ size: e.target.value, ...pager.restart }))}
              className="rounded-md border border-slate-300 px-2 py-1"
            >
              {sizes.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <PageLink href={pager.previous && href(pager.previous)} label="Previous page">
            ‹ Previous
          </PageLink>
          <span aria-current="page">
            Page {page.toLocaleString("en")}
            {exact ? ` of ${Math.max(1, Math.ceil(total / size)).toLocaleString("en")}` : ""}
          </span>
          <PageLink href={pager.next && href(pager.next)} label="Next page">
            Next ›
          </PageLink>
        </div>
      </nav>
    </div>
  );
}
