import { RevertForm, VerifyNowForm } from "@/components/adoption/run-controls";
import { LiveRefresh } from "@/components/ui/live-refresh";
import { PlanView } from "@/components/adoption/plan-view";
import { RunHistory, RunProgress } from "@/components/adoption/run-history";
import { TableStatus } from "@/components/adoption/table-status";
import { dateTimeSeconds as when } from "@/components/ui/format";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { planAdoption } from "@/lib/adoption/plan";
import { findLiveOwner, readDashboard, planInputs } from "@/lib/adoption/queries";
import { planOptionsOf, readAdoptionOptions } from "@/lib/adoption/schemas";
import { platformPage } from "@/lib/auth/pages";

export const dynamic = "force-dynamic";
export const metadata = { title: "Adoption" };

type Params = Record<string, string | string[] | undefined>;

/** The adoption dashboard (docs/architecture.md §9): where the target schema stands, the plan, the runs. */
export default async function AdoptionPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { options, errors, typed } = readAdoptionOptions(await searchParams);
  const {
    data: { owner, ...data },
  } = await platformPage(
    // The per-customer figures of the latest verification are read through this audited door.
    {
      permission: "adoption.manage",
      action: "adoption.view",
      targetType: "schema",
      targetId: options.schema,
    },
    async (tx) => ({
      ...(await readDashboard(tx, options.schema, options.column)),
      owner: await findLiveOwner(tx, options.tenant),
    }),
  );
  const { report, running } = data;
  const inputs = await planInputs(options.schema, data.tables, planOptionsOf(options));
  const plan = planAdoption(options.schema, inputs.tables, inputs.options);
  const blockedBy = !data.canRun
    ? "Set DATABASE_URL to the owner's connection to run adoptions."
    : running
      ? "A run is in progress."
      : null;

  return (
    <>
      <LiveRefresh active={running !== null} />
      <div className="flex flex-wrap items-start justify-between gap-4">
        <PageHeader
          title="Adoption"
          description="Adoption makes a legacy single-tenant schema tenant-isolated and verifies it, locking its tables only while the catalog changes — or changes nothing. Verify re-checks a live database at any time."
        />
        <form method="get" action="/adoption" className="flex items-end gap-2 text-sm">
          <label htmlFor="schema-picker" className="text-slate-600">
            Schema
          </label>
          <select
            id="schema-picker"
            name="schema"
            defaultValue={options.schema}
            className="rounded-md border border-slate-300 px-2 py-1.5"
          >
            {[...new Set([...data.schemas, options.schema])].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
          <button
            type="submit"
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-100"
          >
            Show
          </button>
        </form>
      </div>

      {!data.schemas.includes(options.schema) ? (
        <EmptyState title={`Schema ${options.schema} has no tables`}>
          Choose another schema above.
        </EmptyState>
      ) : (
        <div className="space-y-6">
          <section
            aria-labelledby="coverage-heading"
            className="flex flex-wrap items-start justify-between gap-4 rounded-lg border border-slate-200 bg-white p-4"
          >
            <div>
              <h2 id="coverage-heading" className="text-xs uppercase tracking-wide text-slate-500">
                Isolation coverage of {options.schema}
              </h2>
              {report ? (
                <>
                  <p
                    data-testid="coverage"
                    className={`mt-1 text-lg font-semibold ${report.ok ? "text-emerald-700" : "text-slate-900"}`}
                  >
                    {report.summary.text}
                  </p>
                  <p className="mt-1 text-sm text-slate-600">
                    Probe: {report.probe.detail}. Checked {when.format(new Date(report.checkedAt))}{" "}
                    UTC.
                  </p>
                </>
              ) : (
                <p className="mt-1 text-sm text-slate-600">
                  Not verified yet: Verify now checks every table of {options.schema}.
                </p>
              )}
            </div>
            <div className="flex flex-wrap items-center gap-3">
              <VerifyNowForm schema={options.schema} disabled={blockedBy !== null} />
              {data.standingAdoption && (
                <RevertForm schema={options.schema} disabled={blockedBy !== null} />
              )}
            </div>
          </section>

          {running && <RunProgress run={running} />}
          {report && <TableStatus report={report} />}
          {!data.standingAdoption && !running && (
            <PlanView
              plan={plan}
              tables={inputs.tables}
              options={options}
              errors={errors}
              typed={typed}
              blockedBy={blockedBy}
              liveOwner={owner}
            />
          )}
          <RunHistory runs={data.history} />
        </div>
      )}
    </>
  );
}
