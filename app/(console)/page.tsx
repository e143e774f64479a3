import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Cell, Row, Table } from "@/components/ui/table";
import { BarChart } from "@/components/usage/bar-chart";
import { RefreshUsageButton } from "@/components/usage/refresh-button";
import { formatBytes } from "@/components/usage/usage-figures";
import { platformPage } from "@/lib/auth/pages";
import { PLACEMENT_THRESHOLD_ROWS, summarizeOverview } from "@/lib/usage/overview";
import { platformOverview } from "@/lib/usage/queries";
import { dateTime as when, number } from "@/components/ui/format";

export const dynamic = "force-dynamic";

/** Super-admins land on the platform overview; customer users on their customer's home. */
export default async function OverviewPage() {
  const { data: o } = await platformPage(
    { permission: "usage.read-all", action: "usage.view-all", elseRedirect: "/home" },
    (tx) => platformOverview(tx, PLACEMENT_THRESHOLD_ROWS),
  );
  const { customers, scoped, byStatus, byPlan, growth } = summarizeOverview(o);
  const change = (metric: string, days: 7 | 30) => {
    const delta = growth(metric, days);
    return delta === null ? "—" : `${delta >= 0 ? "+" : ""}${number.format(delta)}`;
  };
  return (
    <>
      <div className="flex items-start justify-between">
        <PageHeader
          title="Overview"
          description={
            o.run
              ? `The platform at ${when.format(o.run.startedAt)} UTC (latest snapshot).`
              : "No usage snapshot yet."
          }
        />
        <RefreshUsageButton />
      </div>
      <div className="space-y-6">
        <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4">
          {[
            ["Customers", number.format(customers)],
            ["Console users", number.format(o.totals["users.total"] ?? 0)],
            ["Audited actions, 30 days", number.format(o.totals["actions.30d"] ?? 0)],
            [
              "Data-plane rows",
              scoped ? number.format(o.totals["rows.total"] ?? 0) : "not yet scoped",
            ],
          ].map(([label, value]) => (
            <div key={label} className="rounded-lg border border-slate-200 bg-white p-4">
              <dt className="text-xs text-slate-500">{label}</dt>
              <dd className="mt-1 text-lg font-semibold">{value}</dd>
            </div>
          ))}
        </dl>
        <div className="grid gap-6 lg:grid-cols-3">
          {(["status", "plan"] as const).map((key) => (
            <section
              key={key}
              aria-label={`Customers by ${key}`}
              className="rounded-lg border border-slate-200 bg-white"
            >
              <h2 className="border-b border-slate-200 px-4 py-3 text-sm font-medium">
                Customers by {key}
                {o.byStatusAt && (
                  <span className="font-normal text-slate-500">
                    {" "}
                    (as the {when.format(o.byStatusAt)} UTC snapshot counted them)
                  </span>
                )}
              </h2>
              <div className="px-2 pt-2">
                <BarChart
                  label={`Customers by ${key}`}
                  data={(key === "status" ? byStatus : byPlan).map(([name, n]) => ({
                    name,
                    value: n,
                  }))}
                />
              </div>
              <Table headers={[key === "status" ? "Status" : "Plan", "Customers"]}>
                {(key === "status" ? byStatus : byPlan).map(([name, n]) => (
                  <Row key={name}>
                    <Cell>{name}</Cell>
                    <Cell>{number.format(n)}</Cell>
                  </Row>
                ))}
              </Table>
            </section>
          ))}
          <section aria-label="Growth" className="rounded-lg border border-slate-200 bg-white">
            <h2 className="border-b border-slate-200 px-4 py-3 text-sm font-medium">Growth</h2>
            <Table headers={["", "7 days", "30 days"]}>
              {[
                ["Console users", "users.total"],
                ["Data-plane rows", "rows.total"],
              ].map(([label, metric]) => (
                <Row key={metric}>
                  <Cell>{label}</Cell>
                  <Cell>{change(metric, 7)}</Cell>
                  <Cell>{change(metric, 30)}</Cell>
                </Row>
              ))}
            </Table>
          </section>
        </div>
        {(
          [
            ["actions", "Most active customers (audited actions, 30 days)"],
            ["rows", "Largest customers by data-plane rows"],
            ["storage", "Largest customers by storage (estimate)"],
          ] as const
        )
          .filter(([key]) => key === "actions" || scoped)
          .map(([key, title]) => (
            <section
              key={key}
              aria-label={title}
              className="rounded-lg border border-slate-200 bg-white"
            >
              <h2 className="border-b border-slate-200 px-4 py-3 text-sm font-medium">{title}</h2>
              {o.top[key].length === 0 ? (
                <EmptyState title="No figures yet">Refresh to take the first snapshot.</EmptyState>
              ) : (
                <Table headers={["Customer", "Users", "Actions", "Rows", "Storage"]}>
                  {o.top[key].map((c) => (
                    <Row key={c.id}>
                      <Cell>
                        <Link
                          href={`/customers/${c.id}`}
                          className="text-indigo-700 hover:underline"
                        >
                          {c.name}
                        </Link>
                      </Cell>
                      <Cell>{number.format(c.users)}</Cell>
                      <Cell>{number.format(c.actions)}</Cell>
                      <Cell>{scoped ? number.format(Number(c.rows ?? 0)) : "—"}</Cell>
                      <Cell>{scoped ? formatBytes(Number(c.storage ?? 0)) : "—"}</Cell>
                    </Row>
                  ))}
                </Table>
              )}
            </section>
          ))}
        <div className="grid gap-6 lg:grid-cols-2">
          <section
            aria-label="At 80 % of a quota"
            className="rounded-lg border border-slate-200 bg-white"
          >
            <h2 className="border-b border-slate-200 px-4 py-3 text-sm font-medium">
              At 80 % or more of the user quota
            </h2>
            {o.atQuota.length === 0 ? (
              <p className="px-4 py-3 text-sm text-slate-600">None.</p>
            ) : (
              <Table headers={["Customer", "Users", "Limit"]}>
                {o.atQuota.map((c) => (
                  <Row key={c.id}>
                    <Cell>{c.name}</Cell>
                    <Cell
                      className={
                        c.users > c.max_users ? "font-medium text-red-700" : "text-amber-800"
                      }
                    >
                      {c.users}
                    </Cell>
                    <Cell>{c.max_users}</Cell>
                  </Row>
                ))}
              </Table>
            )}
          </section>
          <section
            aria-label="Over a rows or storage limit"
            className="rounded-lg border border-slate-200 bg-white"
          >
            <h2 className="border-b border-slate-200 px-4 py-3 text-sm font-medium">
              Over a rows or storage limit
            </h2>
            {o.overQuota.length === 0 ? (
              <p className="px-4 py-3 text-sm text-slate-600">None.</p>
            ) : (
              <Table headers={["Customer", "Rows", "Limit", "Storage", "Limit"]}>
                {o.overQuota.map((c) => (
                  <Row key={c.id}>
                    <Cell>{c.name}</Cell>
                    <Cell className={c.rows >= c.max_rows ? "font-medium text-red-700" : ""}>
                      {number.format(c.rows)}
                    </Cell>
                    <Cell>{number.format(c.max_rows)}</Cell>
                    <Cell className={c.storage >= c.max_storage ? "font-medium text-red-700" : ""}>
                      {number.format(Math.round(c.storage / 2 ** 20))} MB
                    </Cell>
                    <Cell>{number.format(Math.round(c.max_storage / 2 ** 20))} MB</Cell>
                  </Row>
                ))}
              </Table>
            )}
          </section>
          <section
            aria-label="Above the dedicated-placement threshold"
            className="rounded-lg border border-slate-200 bg-white"
          >
            <h2 className="border-b border-slate-200 px-4 py-3 text-sm font-medium">
              Above the dedicated-placement threshold ({number.format(PLACEMENT_THRESHOLD_ROWS)}{" "}
              rows)
            </h2>
            {!scoped ? (
              <p className="px-4 py-3 text-sm text-slate-600">
                The data plane is not tenant-scoped yet.
              </p>
            ) : o.overThreshold.length === 0 ? (
              <p className="px-4 py-3 text-sm text-slate-600">None.</p>
            ) : (
              <Table headers={["Customer", "Rows"]}>
                {o.overThreshold.map((c) => (
                  <Row key={c.id}>
                    <Cell>{c.name}</Cell>
                    <Cell>{number.format(Number(c.rows))}</Cell>
                  </Row>
                ))}
              </Table>
            )}
          </section>
        </div>
      </div>
    </>
  );
}
