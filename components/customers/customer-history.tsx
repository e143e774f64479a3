import { EmptyState } from "@/components/ui/empty-state";
import { dateTime } from "@/components/ui/format";

export interface HistoryEntry {
  at: Date;
  action: string;
  actorEmail: string | null;
  details: unknown;
}

/** A customer's changes, newest first: who changed what, from what to what, and why. */
export function CustomerHistory({ history }: { history: HistoryEntry[] }) {
  if (history.length === 0) return <EmptyState title="No changes yet" />;
  return (
    <ol className="space-y-2 text-sm">
      {history.map((h, i) => {
        const details = h.details as {
          before?: Record<string, unknown>;
          after?: Record<string, unknown>;
          reason?: string;
        };
        return (
          <li key={i} className="border-b border-slate-100 pb-2">
            <span className="text-slate-500">{dateTime.format(h.at)} UTC</span> ·{" "}
            {h.action.replace("customers.", "")} by {h.actorEmail}
            {details.after && (
              <span className="block font-mono text-xs text-slate-600">
                {JSON.stringify(details.before ?? {})} → {JSON.stringify(details.after)}
              </span>
            )}
            {details.reason && (
              <span className="block text-slate-600">Reason: {details.reason}</span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
