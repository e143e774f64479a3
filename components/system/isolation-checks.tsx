import { Cell, Row, Table } from "@/components/ui/table";
import type { GuardReport } from "@/db/guard";

export function IsolationChecks({ report }: { report: GuardReport }) {
  return (
    <section
      aria-labelledby="checks-heading"
      className="rounded-lg border border-slate-200 bg-white"
    >
      <h2 id="checks-heading" className="border-b border-slate-200 px-4 py-3 text-sm font-medium">
        {report.ok
          ? "All isolation checks pass"
          : "Isolation checks failing — the console refuses to serve"}
      </h2>
      <Table headers={["Check", "Result", "Detail"]}>
        {report.checks.map((check) => (
          <Row key={check.name}>
            <Cell>{check.name}</Cell>
            <Cell className={`font-medium ${check.ok ? "text-emerald-700" : "text-red-700"}`}>
              {check.ok ? "pass" : "fail"}
            </Cell>
            <Cell className="text-slate-600">{check.detail}</Cell>
          </Row>
        ))}
      </Table>
    </section>
  );
}
