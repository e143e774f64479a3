import type { Figures } from "@/lib/usage/queries";
import { dateTime as when, monthName, number } from "@/components/ui/format";
import { Cell, Row, Table } from "@/components/ui/table";
import { apiCallsAllowed } from "@/lib/usage/quotas";

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** The figures of one customer from its latest snapshot; data-plane ones only once adopted. */
export function UsageFigures({
  figures,
  takenAt,
  scoped,
}: {
  figures: Figures;
  takenAt: Date | null;
  scoped: boolean;
}) {
  if (!takenAt) {
    return (
      <p className="text-sm text-slate-600">
        No snapshot yet: figures appear after the first one (every few minutes, or Refresh on the
        overview).
      </p>
    );
  }
  const last = figures["activity.last"];
  const items: [string, string][] = [
    ["Console users", number.format(figures["users.total"] ?? 0)],
    ["Active in 30 days", number.format(figures["users.active30"] ?? 0)],
    ["Sign-ins in 30 days", number.format(figures["signins.30d"] ?? 0)],
    ["Audited actions in 30 days", number.format(figures["actions.30d"] ?? 0)],
    ["Last activity", last ? `${when.format(new Date(last * 1000))} UTC` : "none yet"],
    ["Data-plane rows", scoped ? number.format(figures["rows.total"] ?? 0) : "not yet scoped"],
    ["Storage (estimate)", scoped ? formatBytes(figures["storage.bytes"] ?? 0) : "not yet scoped"],
  ];
  return (
    <div>
      <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4">
        {items.map(([label, value]) => (
          <div key={label} className="rounded-lg border border-slate-200 bg-white p-4">
            <dt className="text-xs text-slate-500">{label}</dt>
            <dd className="mt-1 text-lg font-semibold" data-testid={`figure-${label}`}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
      <p className="mt-2 text-xs text-slate-500">
        Taken {when.format(takenAt)} UTC. Storage is estimated: each tenant-scoped table&apos;s size
        on disk (with its indexes) shared out by each customer&apos;s share of its rows.
      </p>
    </div>
  );
}

/** Usage against a limit: amber from 80 %, red over the limit. */
export function QuotaBar({
  label,
  used,
  limit,
  format = (n: number) => number.format(n),
}: {
  label: string;
  used: number | null;
  limit: number;
  format?: (n: number) => string;
}) {
  if (used === null) {
    return (
      <div className="text-sm">
        <span className="font-medium">{label}</span>: not yet scoped (limit {format(limit)})
      </div>
    );
  }
  const share = limit > 0 ? used / limit : 1;
  const tone = share > 1 ? "bg-red-600" : share >= 0.8 ? "bg-amber-500" : "bg-emerald-600";
  return (
    <div className="text-sm">
      <div className="flex justify-between">
        <span className="font-medium">{label}</span>
        <span className={share > 1 ? "font-medium text-red-700" : ""}>
          {format(used)} of {format(limit)} ({Math.round(share * 100)} %)
          {share > 1 ? " — over the limit" : share >= 0.8 ? " — nearly full" : ""}
        </span>
      </div>
      <div
        className="mt-1 h-2 rounded bg-slate-200"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={used}
      >
        <div
          className={`h-2 rounded ${tone}`}
          style={{ width: `${Math.min(100, share * 100)}%` }}
        />
      </div>
    </div>
  );
}

/** This month's API calls against the limit, and how many go through before calls are refused. */
export function ApiCallsBar({
  calls,
  limits,
}: {
  calls: { month: string; calls: number };
  limits: { maxApiCallsMonth: number; apiCallsMarginPercent: number };
}) {
  const margin = limits.apiCallsMarginPercent;
  return (
    <div>
      <QuotaBar label="API calls this month" used={calls.calls} limit={limits.maxApiCallsMonth} />
      <p className="mt-1 text-xs text-slate-500">
        {monthName(calls.month)} (UTC), counted as calls go through. Up to{" "}
        {number.format(apiCallsAllowed(limits))} go through
        {margin > 0 ? ` (the limit and the plan's ${margin} % margin)` : ""}; more are refused until
        the month ends.
      </p>
    </div>
  );
}

/** Kinds of metered events a page lists; the API gives every one. */
export const EVENT_KINDS_SHOWN = 100;

/**
 * A month's metered events per kind, as the platform API counted them: the first
 * EVENT_KINDS_SHOWN kinds by name (`events` may hold one more, to say there are more).
 */
export function MeteredEvents({
  month,
  events,
}: {
  month: string;
  events: { kind: string; events: number; quantity: number }[];
}) {
  const name = monthName(month);
  if (events.length === 0)
    return (
      <p className="text-sm text-slate-600">
        No metered events in {name} yet. Your systems send them to the platform API (
        <code>POST /api/v1/usage/events</code>), each counted once by its ID.
      </p>
    );
  return (
    <>
      <Table headers={["Kind", "Events", "Quantity"]} caption={`Metered events in ${name}`}>
        {events.slice(0, EVENT_KINDS_SHOWN).map((e) => (
          <Row key={e.kind}>
            <Cell className="font-mono">{e.kind}</Cell>
            <Cell>{number.format(e.events)}</Cell>
            <Cell>{number.format(e.quantity)}</Cell>
          </Row>
        ))}
      </Table>
      {events.length > EVENT_KINDS_SHOWN && (
        <p className="mt-2 text-xs text-slate-500">
          The first {EVENT_KINDS_SHOWN} kinds by name; GET /api/v1/usage gives every one.
        </p>
      )}
    </>
  );
}
