import Link from "next/link";
import { auditOutcomes } from "@/db/schema";
import type { AuditFilter } from "@/lib/audit/schemas";

/** A plain GET form (the filters are the URL), and the export of exactly this view. */
export function AuditFilters({
  filter,
  path,
  showCustomer,
}: {
  filter: AuditFilter;
  path: string;
  showCustomer: boolean;
}) {
  const exportParams = new URLSearchParams(
    Object.entries({
      actor: filter.actor,
      action: filter.action,
      outcome: filter.outcome,
      customer: filter.customer,
      from: filter.from,
      to: filter.to,
    }).filter((e): e is [string, string] => Boolean(e[1])),
  );
  const input = "mt-1 rounded-md border border-slate-300 px-2 py-1.5";
  return (
    <form
      method="get"
      role="search"
      className="mb-4 flex flex-wrap items-end gap-3 text-sm text-slate-700"
    >
      <input type="hidden" name="size" value={filter.size} />
      <label className="flex flex-col">
        Actor email starts with
        <input name="actor" defaultValue={filter.actor} className={`${input} w-48`} />
      </label>
      <label className="flex flex-col">
        Action starts with
        <input
          name="action"
          defaultValue={filter.action}
          placeholder="e.g. users."
          className={`${input} w-40`}
        />
      </label>
      <label className="flex flex-col">
        Outcome
        <select name="outcome" defaultValue={filter.outcome ?? ""} className={input}>
          <option value="">Any</option>
          {auditOutcomes.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
      {showCustomer && (
        <label className="flex flex-col">
          Customer ID
          <input name="customer" defaultValue={filter.customer ?? ""} className={`${input} w-36`} />
        </label>
      )}
      <label className="flex flex-col">
        From
        <input type="date" name="from" defaultValue={filter.from ?? ""} className={input} />
      </label>
      <label className="flex flex-col">
        To
        <input type="date" name="to" defaultValue={filter.to ?? ""} className={input} />
      </label>
      <button
        type="submit"
        className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700"
      >
        Filter
      </button>
      <Link href={path} className="underline">
        Clear
      </Link>
      <a
        href={`/api/audit/export?${exportParams.toString()}`}
        className="ml-auto rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-100"
        download
      >
        Export CSV
      </a>
    </form>
  );
}
