import { Cell, Row, Table } from "@/components/ui/table";
import type { VerifyReport } from "@/lib/adoption/verify";
import { number } from "@/components/ui/format";
import { Mark, StateBadge } from "./marks";

/** Every table of the schema with what verification found, problems spelled out. */
export function TableStatus({ report }: { report: VerifyReport }) {
  return (
    <section
      aria-labelledby="tables-heading"
      className="rounded-lg border border-slate-200 bg-white"
    >
      <h2 id="tables-heading" className="border-b border-slate-200 px-4 py-3 text-sm font-medium">
        Tables of {report.schema}
      </h2>
      <div className="overflow-x-auto">
        <Table
          caption={`Isolation of each table of ${report.schema}`}
          headers={[
            "Table",
            "State",
            "Rows",
            "Customers",
            report.column,
            "NOT NULL",
            "Default",
            "Index",
            "Composite FKs",
            "RLS",
            "Forced",
            "Policy",
            "Views",
            "NULL tenants",
            "Cross refs",
            "Problems",
          ]}
        >
          {report.tables.map((t) => {
            const scoped = t.column;
            return (
              <Row key={t.table}>
                <Cell className="font-mono text-xs">{t.table}</Cell>
                <Cell>
                  <StateBadge state={t.state} />
                </Cell>
                <Cell className="tabular-nums">{number.format(t.rows)}</Cell>
                <Cell className="tabular-nums">
                  {t.customers ? (
                    <details>
                      <summary className="cursor-pointer">{number.format(t.customers)}</summary>
                      <ul
                        aria-label={`Rows per customer in ${t.table}${t.customers > 5 ? ", the five largest" : ""}`}
                        className="text-xs text-slate-600"
                      >
                        {t.rowsPerCustomer.map((o) => (
                          <li key={o.tenant} className="whitespace-nowrap font-mono">
                            {o.tenant} {number.format(o.rows)}
                          </li>
                        ))}
                      </ul>
                    </details>
                  ) : (
                    "—"
                  )}
                </Cell>
                <Cell>
                  <Mark ok={scoped} />
                </Cell>
                <Cell>{scoped ? <Mark ok={t.notNull} /> : "—"}</Cell>
                <Cell>{scoped ? <Mark ok={t.defaultFromSetting} /> : "—"}</Cell>
                <Cell>{scoped ? <Mark ok={t.indexed} /> : "—"}</Cell>
                <Cell className="tabular-nums">
                  {t.foreignKeys.total
                    ? `${t.foreignKeys.composite} of ${t.foreignKeys.total}`
                    : "—"}
                </Cell>
                <Cell>
                  <Mark ok={t.rlsEnabled} />
                </Cell>
                <Cell>
                  <Mark ok={t.rlsForced} />
                </Cell>
                <Cell>
                  <Mark ok={t.policy} />
                </Cell>
                <Cell>
                  {t.views.length
                    ? t.views.map((v) => `${v.name}${v.invoker ? "" : " (owner)"}`).join(", ")
                    : "—"}
                </Cell>
                <Cell className="tabular-nums">{scoped ? number.format(t.nullTenants) : "—"}</Cell>
                <Cell className="tabular-nums">
                  {scoped ? number.format(t.crossTenantRefs) : "—"}
                </Cell>
                <Cell className="min-w-64 text-xs">
                  {t.problems.length + t.warnings.length === 0 ? (
                    <span className="text-slate-500">none</span>
                  ) : (
                    <ul className="space-y-0.5">
                      {t.problems.map((p) => (
                        <li key={p} className="text-red-700">
                          {p}
                        </li>
                      ))}
                      {t.warnings.map((w) => (
                        <li key={w} className="text-amber-700">
                          {w}
                        </li>
                      ))}
                    </ul>
                  )}
                </Cell>
              </Row>
            );
          })}
        </Table>
      </div>
    </section>
  );
}
