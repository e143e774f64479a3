import type { GuardReport } from "@/db/guard";

export function IsolationChecks({ report }: { report: GuardReport }) {
  return (
    <section aria-labelledby="checks-heading" className="rounded-lg border border-slate-200 bg-white">
      <h2 id="checks-heading" className="border-b border-slate-200 px-4 py-3 text-sm font-medium">
        {report.ok ? "All isolation checks pass" : "Isolation checks failing — the console refuses to serve"}
      </h2>
      <table className="w-full text-left text-sm">
        <thead className="text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">Check</th>
            <th scope="col" className="px-4 py-2 font-medium">Result</th>
            <th scope="col" className="px-4 py-2 font-medium">Detail</th>
          </tr>
        </thead>
        <tbody>
          {report.checks.map((check) => (
            <tr key={check.name} className="border-t border-slate-100">
              <td className="px-4 py-2">{check.name}</td>
              <td className={`px-4 py-2 font-medium ${check.ok ? "text-emerald-700" : "text-red-700"}`}>
                {check.ok ? "pass" : "fail"}
              </td>
              <td className="px-4 py-2 text-slate-600">{check.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
