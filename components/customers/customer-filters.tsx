import Link from "next/link";
import { customerStatuses, type Plan } from "@/db/schema";
import type { CustomerListParams } from "@/lib/customers/schemas";

/** A plain GET form: the filters are the URL, so they survive reload and can be shared. */
export function CustomerFilters({ params, plans }: { params: CustomerListParams; plans: Plan[] }) {
  return (
    <form method="get" role="search" className="mb-4 flex flex-wrap items-end gap-3">
      <input type="hidden" name="sort" value={params.sort} />
      <input type="hidden" name="dir" value={params.dir} />
      <input type="hidden" name="size" value={params.size} />
      <label className="flex flex-col text-sm text-slate-700">
        Search name or ID
        <input
          name="q"
          defaultValue={params.q}
          placeholder="Northwind or ABC-DEF-GHJ"
          className="mt-1 w-64 rounded-md border border-slate-300 px-3 py-1.5"
        />
      </label>
      <label className="flex flex-col text-sm text-slate-700">
        Status
        <select
          name="status"
          defaultValue={params.status ?? ""}
          className="mt-1 rounded-md border border-slate-300 px-2 py-1.5"
        >
          <option value="">Any</option>
          {customerStatuses.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-sm text-slate-700">
        Plan
        <select
          name="plan"
          defaultValue={params.plan ?? ""}
          className="mt-1 rounded-md border border-slate-300 px-2 py-1.5"
        >
          <option value="">Any</option>
          {plans.map((p) => (
            <option key={p.name} value={p.name}>
              {p.displayName}
            </option>
          ))}
        </select>
      </label>
      <button
        type="submit"
        className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700"
      >
        Search
      </button>
      <Link href="/customers" className="text-sm text-slate-600 underline">
        Clear
      </Link>
    </form>
  );
}
