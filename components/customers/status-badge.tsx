const STYLES: Record<string, string> = {
  trial: "bg-sky-50 text-sky-800",
  expired: "bg-red-50 text-red-800",
  active: "bg-emerald-50 text-emerald-800",
  suspended: "bg-amber-50 text-amber-900",
  offboarding: "bg-orange-50 text-orange-900",
  deleted: "bg-slate-100 text-slate-600",
  erased: "bg-slate-200 text-slate-700",
};

export function StatusBadge({
  status,
  trialExpired = false,
}: {
  status: string;
  trialExpired?: boolean;
}) {
  return (
    <span
      className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${trialExpired ? "bg-red-50 text-red-800" : (STYLES[status] ?? "")}`}
    >
      {trialExpired ? "trial expired" : status}
    </span>
  );
}
