// A customer admin's word on rows and storage against the plan's limits: from 80 %, and at 100 %.
import { number } from "@/components/ui/format";
import type { quotaLevels } from "@/lib/usage/quotas";

const mb = (bytes: number) => `${number.format(Math.round(bytes / 2 ** 20))} MB`;

export function QuotaBanner({ levels }: { levels: ReturnType<typeof quotaLevels> }) {
  if (levels.length === 0) return null;
  return (
    <div className="mb-6 space-y-2">
      {levels.map((q) => (
        <p
          key={q.metric}
          role={q.level === 100 ? "alert" : "status"}
          className={`rounded-md px-3 py-2 text-sm ${q.level === 100 ? "bg-red-50 text-red-800" : "bg-amber-50 text-amber-900"}`}
        >
          {q.level === 100 ? "Over" : "At 80 % of"} the plan&apos;s {q.metric} limit:{" "}
          {q.metric === "rows" ? number.format(q.value) : mb(q.value)} of{" "}
          {q.metric === "rows" ? number.format(q.limit) : mb(q.limit)}.{" "}
          {q.level === 100 ? "A larger plan lifts it." : "A larger plan gives room."}
        </p>
      ))}
    </div>
  );
}
