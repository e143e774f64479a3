// Moves, newest first: each one's phase, its rows copied, how long the customer's writes were
// held, how it ended, and whether its old rows still wait; each links to its page.
import Link from "next/link";
import { dateTimeSeconds, number } from "@/components/ui/format";
import type { MoveView } from "@/lib/placement/queries";

const STATUS_STYLES: Record<string, string> = {
  running: "bg-sky-50 text-sky-800",
  succeeded: "bg-emerald-50 text-emerald-800",
  failed: "bg-red-50 text-red-800",
};

export function MovesList({ moves }: { moves: MoveView[] }) {
  if (moves.length === 0) return <p className="text-sm text-slate-600">No moves yet.</p>;
  return (
    <ul aria-label="Moves, newest first" className="space-y-3">
      {moves.map((m) => {
        const done = m.progress.filter((t) => t.state === "done").length;
        const rows = m.progress.reduce((n, t) => n + t.rows, 0);
        const of = m.progress.reduce((n, t) => n + (t.of ?? t.rows), 0);
        return (
          <li
            key={m.id}
            aria-label={`move of ${m.tenantId} ${m.status}`}
            className="rounded-md border border-slate-200 p-3 text-sm"
          >
            <div className="flex flex-wrap items-center gap-2">
              <Link
                href={`/databases/moves/${m.id}`}
                className="font-medium text-sky-700 underline"
              >
                {m.customerName ?? m.tenantId} ({m.tenantId}): {m.source} → {m.target}
              </Link>
              <span
                className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLES[m.status] ?? ""}`}
              >
                {m.status}
              </span>
              <span className="text-slate-500">
                {m.mode}, {dateTimeSeconds.format(m.startedAt)} UTC by {m.startedBy}
              </span>
            </div>
            <p className="mt-1 text-slate-700">
              {m.status === "running" ? `Now: ${m.phase}. ` : ""}
              {m.status === "failed" ? `Failed in ${m.phase}: ${m.error}` : ""}
              {m.progress.length > 0 &&
                ` ${done} of ${m.progress.length} tables copied, ${number.format(rows)} of ${number.format(of)} rows.`}
              {m.frozenAt && " Its writes are held now."}
              {m.freezeMs !== null && ` Writes held ${number.format(m.freezeMs)} ms.`}
              {m.status === "succeeded" &&
                m.flipped &&
                (m.cleanedAt
                  ? ` Old rows on ${m.source} deleted.`
                  : ` Old rows wait on ${m.source} until ${m.cleanupAfter ? dateTimeSeconds.format(m.cleanupAfter) : "cleanup"} UTC.`)}
            </p>
            {m.progress.length > 0 && m.status === "running" && (
              <progress
                className="mt-1 h-2 w-full"
                max={Math.max(of, 1)}
                value={rows}
                aria-label={`move of ${m.tenantId}: ${number.format(rows)} of ${number.format(of)} rows copied`}
              />
            )}
            {m.steps.length > 0 && (
              <details className="mt-1">
                <summary className="cursor-pointer text-slate-600">Phases</summary>
                <MovePhases steps={m.steps} className="mt-1" />
              </details>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** A move's phases as they ran: outcome, time, and the phase's note. */
export function MovePhases({
  steps,
  className = "",
}: {
  steps: MoveView["steps"];
  className?: string;
}) {
  return (
    <ol aria-label="Phases" className={`list-decimal pl-5 ${className}`}>
      {steps.map((s) => (
        <li key={`${s.phase}-${s.startedAt}`}>
          {s.phase}: {s.outcome}
          {s.ms !== null && `, ${number.format(s.ms)} ms`}
          {s.note && ` (${s.note})`}
        </li>
      ))}
    </ol>
  );
}
