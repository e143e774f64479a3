"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { DataTable, type Pager } from "@/components/ui/data-table";
import { formatCustomerId } from "@/lib/customers/ids";
import { isTrialExpired } from "@/lib/customers/lifecycle";
import { PAGE_SIZES, SORTABLE } from "@/lib/customers/list";
import type { CustomerListParams } from "@/lib/customers/schemas";
import { StatusBadge } from "./status-badge";
import { date } from "@/components/ui/format";

export interface CustomerRow {
  id: string;
  name: string;
  status: string;
  plan: string;
  users: number;
  createdAt: string;
  trialEndsAt: string | null;
}

const columns: ColumnDef<CustomerRow, unknown>[] = [
  {
    id: "name",
    header: "Name",
    cell: ({ row }) => (
      <Link
        href={`/customers/${row.original.id}`}
        className="font-medium text-indigo-700 hover:underline"
      >
        {row.original.name}
      </Link>
    ),
  },
  {
    id: "id",
    header: "ID",
    cell: ({ row }) => (
      <span className="font-mono text-xs">{formatCustomerId(row.original.id)}</span>
    ),
  },
  {
    id: "status",
    header: "Status",
    cell: ({ row }) => (
      <StatusBadge
        status={row.original.status}
        trialExpired={isTrialExpired({
          status: row.original.status,
          trialEndsAt: row.original.trialEndsAt ? new Date(row.original.trialEndsAt) : null,
        })}
      />
    ),
  },
  { id: "plan", header: "Plan", cell: ({ row }) => row.original.plan },
  { id: "users", header: "Users", cell: ({ row }) => row.original.users.toLocaleString("en") },
  {
    id: "rows",
    header: "Rows",
    cell: () => (
      <span title="The data plane is not tenant-scoped yet (adoption)" className="text-slate-500">
        not yet scoped
      </span>
    ),
  },
  {
    id: "created",
    header: "Created",
    cell: ({ row }) => date.format(new Date(row.original.createdAt)),
  },
];

export function CustomersTable({
  rows,
  pager,
  params,
}: {
  rows: CustomerRow[];
  pager: Pager;
  params: CustomerListParams;
}) {
  return (
    <DataTable
      caption="Customers"
      data={rows}
      columns={columns}
      pager={pager}
      sizes={PAGE_SIZES}
      sortable={SORTABLE}
      sort={params.sort}
      dir={params.dir}
      getRowId={(row) => row.id}
    />
  );
}
