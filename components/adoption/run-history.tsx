import { Cell, Row, Table } from "@/components/ui/table";
import type { RunRow } from "@/lib/adoption/queries";
import { dateTimeSeconds as when } from "@/components/ui/format";

const KIND = { adopt: "Adoption", revert: "Revert", verify: "Verification" } as const;

function outcome(run: RunRow) {
  if (run.interrupted) return { text: "interrupted", className: "text-red-700" };
  if (run.status === "succeeded") return { text: "succeeded", className: "text-emerald-700" };
  if (run.status === "failed") return { text: "failed, rolled back", className: "text-red-700" };
  return { text: "running", className: "text-indigo-700" };
}

export function RunSteps({ run }: { run: RunRow }) {
  return (
    <ol className="space-y-0.5 text-xs">
      {run.steps.map((s) => (
        <li key={s.id} className="flex gap-2">
          <span
            className={
              s.outcome === "ok"
                ? "text-emerald-700"
                : s.outcome === "running"
                  ? "text-indigo-700"
                  : "text-red-700"
            }
          >
            {s.outcome}
          </span>
          <span>{s.step}</span>
          <span className="tabular-nums text-slate-500">{s.ms !== null ? `${s.ms} ms` : "…"}</span>
        </li>
      ))}
    </ol>
  );
}

/** A running run, step by step, announced politely as it moves. */
export function RunProgress({ run }: { run: RunRow }) {
  const current = run.steps.at(-1);
  return (
    <section
      aria-labelledby="progress-heading"
      className="rounded-lg border border-indigo-200 bg-indigo-50 p-4"
    >
      <h2 id="progress-heading" className="text-sm font-medium text-indigo-900">
        {KIND[run.kind]} of {run.schemaName} running since {when.format(run.startedAt)} UTC
      </h2>
      <p role="status" className="mt-1 text-sm text-indigo-900">
        {current ? `Step: ${current.step}` : "Starting…"}
      </p>
      <div className="mt-2">
        <RunSteps run={run} />
      </div>
    </section>
  );
}

export function RunHistory({ runs }: { runs: RunRow[] }) {
  return (
    <section
      aria-labelledby="history-heading"
      className="rounded-lg border border-slate-200 bg-white"
    >
      <h2 id="history-heading" className="border-b border-slate-200 px-4 py-3 text-sm font-medium">
        Runs
      </h2>
      {runs.length === 0 ? (
        <p className="px-4 py-6 text-sm text-slate-500">No runs yet.</p>
      ) : (
        <Table
          caption="Adoption, revert and verification runs, newest first"
          headers={["Started (UTC)", "Run", "Outcome", "Duration", "Steps", "Error"]}
        >
          {runs.map((run) => {
            const o = outcome(run);
            const ms = run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null;
            return (
              <Row key={run.id}>
                <Cell className="whitespace-nowrap">{when.format(run.startedAt)}</Cell>
                <Cell>{KIND[run.kind]}</Cell>
                <Cell className={`font-medium ${o.className}`}>{o.text}</Cell>
                <Cell className="tabular-nums">
                  {ms !== null ? `${(ms / 1000).toFixed(2)} s` : "—"}
                </Cell>
                <Cell>
                  {run.steps.length ? (
                    <details>
                      <summary className="cursor-pointer text-xs text-slate-700">
                        {run.steps.length} {run.steps.length === 1 ? "step" : "steps"}
                      </summary>
                      <RunSteps run={run} />
                    </details>
                  ) : (
                    "—"
                  )}
                </Cell>
                <Cell className="max-w-xl text-xs">
                  {run.error ? (
                    <details>
                      <summary className="cursor-pointer text-red-700">
                        {run.failedStep ? `at ${run.failedStep}: ` : ""}
                        {run.error}
                      </summary>
                      <p className="mt-1 text-slate-700">{run.instructions}</p>
                    </details>
                  ) : (
                    "—"
                  )}
                </Cell>
              </Row>
            );
          })}
        </Table>
      )}
    </section>
  );
}
