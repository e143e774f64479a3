// A customer's recent data jobs (exports, backups, restores, erases) on its page: each one's
// state, step and per-table progress, newest first. While one runs, the page re-reads itself.
import { dateTimeSeconds, number } from "@/components/ui/format";
import type { TableProgress } from "@/lib/portability/jobs";

export interface DataJob {
  id: string;
  kind: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  startedBy: string;
  step: string;
  progress: TableProgress[];
  error: string | null;
  stale: boolean;
}

const STATUS_STYLES: Record<string, string> = {
  running: "bg-sky-50 text-sky-800",
  succeeded: "bg-emerald-50 text-emerald-800",
  failed: "bg-red-50 text-red-800",
  interrupted: "bg-amber-50 text-amber-900",
};

export function DataJobs({ jobs }: { jobs: DataJob[] }) {
  if (jobs.length === 0) return <p className="text-sm text-slate-600">No jobs yet.</p>;
  return (
    <ul aria-label="Jobs, newest first" className="space-y-3">
      {jobs.map((job) => (
        <JobItem key={job.id} job={job} />
      ))}
    </ul>
  );
}

function JobItem({ job }: { job: DataJob }) {
  const status = job.stale ? "interrupted" : job.status;
  const done = job.progress.filter((t) => t.state === "done").length;
  const rows = job.progress.reduce((n, t) => n + t.rows, 0);
  const current = job.progress.find((t) => t.state === "running");
  return (
    <li
      aria-label={`${job.kind} ${status}`}
      className="rounded-md border border-slate-200 p-3 text-sm"
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium capitalize">{job.kind}</span>
        <span
          className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLES[status] ?? ""}`}
        >
          {status}
        </span>
        <span className="text-slate-500">
          {dateTimeSeconds.format(job.startedAt)} UTC by {job.startedBy}
          {job.finishedAt &&
            `, ${((job.finishedAt.getTime() - job.startedAt.getTime()) / 1000).toFixed(1)} s`}
        </span>
      </div>
      {job.progress.length > 0 && (
        <div className="mt-2">
          <progress
            className="h-2 w-full"
            max={job.progress.length}
            value={done}
            aria-label={`${job.kind}: ${done} of ${job.progress.length} tables`}
          />
          <p className="text-slate-600">
            {done} of {job.progress.length} tables, {number.format(rows)} rows
            {job.status === "running" &&
              ` · ${job.step}${current ? `: ${current.table} (${number.format(current.rows)}${current.of !== null ? ` of ${number.format(current.of)}` : ""})` : ""}`}
          </p>
        </div>
      )}
      {job.error && (
        <p className="mt-1 text-red-800">
          {job.stale ? "" : `${job.step}: `}
          {job.error}
        </p>
      )}
      {job.stale && !job.error && (
        <p className="mt-1 text-amber-900">
          No progress for over a minute: the process running it has stopped. Nothing it did in its
          transaction was kept.
        </p>
      )}
      {job.progress.length > 0 && (
        <details className="mt-1">
          <summary className="cursor-pointer text-slate-600">Tables</summary>
          <table className="mt-1 w-full">
            <thead>
              <tr className="text-left text-slate-500">
                <th scope="col">Table</th>
                <th scope="col">Rows</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {job.progress.map((t) => (
                <tr key={t.table}>
                  <td className="font-mono text-xs">{t.table}</td>
                  <td>
                    {number.format(t.rows)}
                    {t.of !== null && t.of !== t.rows && ` of ${number.format(t.of)}`}
                  </td>
                  <td>{t.state}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </li>
  );
}
