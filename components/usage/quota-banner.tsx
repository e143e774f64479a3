// A customer admin's word on rows, storage and the month's API calls against the plan's limits:
// from 80 %, and at 100 %.
import { number } from "@/components/ui/format";
import type { QuotaLevel } from "@/lib/usage/quotas";

const mb = (bytes: number) => `${number.format(Math.round(bytes / 2 ** 20))} MB`;

const SAID: Record<QuotaLevel["metric"], { what: string; format: (n: number) => string }> = {
  rows: { what: "the plan's rows limit", format: (n) => number.format(n) },
  storage: { what: "the plan's storage limit", format: mb },
  "api-calls": { what: "the plan's API calls this month", format: (n) => number.format(n) },
};

export function QuotaBanner({ levels }: { levels: QuotaLevel[] }) {
  if (levels.length === 0) return null;
  return (
    <div className="mb-6 space-y-2">
      {levels.map((q) => {
        const { what, format } = SAID[q.metric];
        return (
          <p
            key={q.metric}
            role={q.level === 100 ? "alert" : "status"}
            className={`rounded-md px-3 py-2 text-sm ${q.level === 100 ? "bg-red-50 text-red-800" : "bg-amber-50 text-amber-900"}`}
          >
            {q.level === 100 ? "Over" : "At 80 % of"} {what}: {format(q.value)} of {format(q.limit)}
            .{" "}
            {q.metric === "api-calls" && q.level === 100
              ? "Calls past the plan's margin are refused until the month ends; a larger plan lifts it."
              : q.level === 100
                ? "A larger plan lifts it."
                : "A larger plan gives room."}
          </p>
        );
      })}
    </div>
  );
}
