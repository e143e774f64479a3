"use client";

import type { ColumnDef } from "@tanstack/react-table";
import { DataTable, type Pager } from "@/components/ui/data-table";
import { dateTimeSeconds as time } from "@/components/ui/format";

export interface AuditEventRow {
  id: number;
  at: string;
  actorEmail: string | null;
  actorRole: string | null;
  actingAs: string | null;
  tenantId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  details: unknown;
}

function columns(showCustomer: boolean): ColumnDef<AuditEventRow, unknown>[] {
  const all: (ColumnDef<AuditEventRow, unknown> | false)[] = [
    { id: "at", header: "Time (UTC)", cell: ({ row }) => time.format(new Date(row.original.at)) },
    {
      id: "actor",
      header: "Actor",
      cell: ({ row }) => (
        <>
          {row.original.actorEmail ?? "system"}
          {row.original.actingAs && (
            <span className="ml-1 rounded bg-amber-100 px-1 text-xs text-amber-900">
              platform staff
            </span>
          )}
        </>
      ),
    },
    showCustomer && {
      id: "customer",
      header: "Customer",
      cell: ({ row }) => <span className="font-mono text-xs">{row.original.tenantId ?? "—"}</span>,
    },
    {
      id: "action",
      header: "Action",
      cell: ({ row }) => <span className="font-mono text-xs">{row.original.action}</span>,
    },
    {
      id: "outcome",
      header: "Outcome",
      cell: ({ row }) => (
        <span
          className={
            row.original.outcome === "ok" ? "text-emerald-700" : "font-medium text-red-700"
          }
        >
          {row.original.outcome}
        </span>
      ),
    },
    {
      id: "details",
      header: "Details",
      cell: ({ row }) => (
        // The row's "drawer": a native disclosure, keyboard-operable without any script.
        <details>
          <summary className="cursor-pointer text-indigo-700">
            {row.original.targetType
              ? `${row.original.targetType} ${row.original.targetId ?? ""}`
              : "show"}
          </summary>
          <pre className="mt-1 max-w-md overflow-x-auto whitespace-pre-wrap rounded bg-slate-50 p-2 text-xs">
            {JSON.stringify(row.original.details, null, 2)}
          </pre>
        </details>
      ),
    },
  ];
  return all.filter((c): c is ColumnDef<AuditEventRow, unknown> => c !== false);
}

export function AuditTable({
  rows,
  pager,
  showCustomer,
}: {
  rows: AuditEventRow[];
  pager: Pager;
  showCustomer: boolean;
}) {
  return (
    <DataTable
      caption="Audit events"
      data={rows}
      columns={columns(showCustomer)}
      pager={pager}
      sizes={[25, 50, 100]}
      sortable={[]}
      sort="at"
      dir="desc"
      getRowId={(r) => String(r.id)}
    />
  );
}
