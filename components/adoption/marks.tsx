/** A yes/no cell that reads as words to a screen reader. */
export function Mark({ ok, label }: { ok: boolean; label?: string }) {
  return (
    <span className={ok ? "text-emerald-700" : "text-red-700"} title={label}>
      <span aria-hidden="true">{ok ? "✓" : "✗"}</span>
      <span className="sr-only">{ok ? "yes" : "no"}</span>
    </span>
  );
}

const STATE_STYLE: Record<string, string> = {
  isolated: "bg-emerald-50 text-emerald-800",
  global: "bg-sky-50 text-sky-800",
  partial: "bg-amber-50 text-amber-800",
  "not isolated": "bg-red-50 text-red-800",
};

export function StateBadge({ state }: { state: string }) {
  return (
    <span
      className={`whitespace-nowrap rounded px-2 py-0.5 text-xs font-medium ${STATE_STYLE[state] ?? ""}`}
    >
      {state}
    </span>
  );
}
