import { Field, inputClass } from "@/components/ui/field";
import type { TableInfo } from "@/lib/adoption/introspect";
import { describeRows, planScript, type AdoptionPlan } from "@/lib/adoption/plan";
import type { AdoptionOptionsInput } from "@/lib/adoption/schemas";
import { number } from "@/components/ui/format";
import { RunAdoptionForm } from "./run-controls";

/**
 * The plan and its options. The options form is a GET form: the plan re-renders from the URL,
 * so what the Run button sends is always the plan on the screen.
 */
export function PlanView({
  plan,
  tables,
  options,
  errors,
  typed,
  blockedBy,
  liveOwner,
}: {
  plan: AdoptionPlan;
  tables: TableInfo[];
  options: AdoptionOptionsInput;
  errors?: Record<string, string[] | undefined>;
  /** What the options form was sent with, shown back beside its errors. */
  typed: {
    tenant: string;
    column: string;
    fromColumn?: string;
    tenantsTable?: string;
    nameColumn?: string;
    nullTenant?: string;
    via: string[];
  };
  blockedBy: string | null;
  /** The live customer that would own the existing rows, if the chosen owner is one. */
  liveOwner: { id: string; name: string } | null;
}) {
  const uniques = tables.flatMap((t) => t.uniques.map((u) => ({ table: t.name, ...u })));
  const statements = plan.steps.reduce((n, s) => n + s.statements.length, 0);
  return (
    <section
      aria-labelledby="plan-heading"
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4"
    >
      <h2 id="plan-heading" className="text-sm font-medium">
        Plan
      </h2>
      <form method="get" action="/adoption" className="space-y-4">
        <input type="hidden" name="schema" value={options.schema} />
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            id="tenant"
            label="Customer for the existing rows (created if missing)"
            errors={errors?.tenant}
          >
            <input
              id="tenant"
              name="tenant"
              defaultValue={typed.tenant}
              className={inputClass}
              aria-invalid={Boolean(errors?.tenant)}
            />
          </Field>
          <Field id="column" label="Tenant column" errors={errors?.column}>
            <input
              id="column"
              name="column"
              defaultValue={typed.column}
              className={inputClass}
              aria-invalid={Boolean(errors?.column)}
            />
          </Field>
        </div>
        <details>
          <summary className="cursor-pointer text-sm text-slate-700">
            Global reference tables ({options.global.length} chosen): readable by every customer,
            not scoped
          </summary>
          <fieldset className="mt-2 grid grid-cols-2 gap-1 sm:grid-cols-4">
            <legend className="sr-only">Global reference tables</legend>
            {tables
              .filter((t) => !t.partitionOf)
              .map((t) => (
                <label key={t.name} className="flex items-center gap-2 font-mono text-xs">
                  <input
                    type="checkbox"
                    name="global"
                    value={t.name}
                    defaultChecked={options.global.includes(t.name)}
                  />
                  {t.name}
                </label>
              ))}
          </fieldset>
        </details>
        {uniques.length > 0 && (
          <details>
            <summary className="cursor-pointer text-sm text-slate-700">
              Unique keys kept across all customers ({options.globalUnique.length} chosen; the
              others become unique per customer)
            </summary>
            <fieldset className="mt-2 grid grid-cols-1 gap-1 sm:grid-cols-3">
              <legend className="sr-only">Unique keys kept global</legend>
              {uniques.map((u) => (
                <label key={u.name} className="flex items-center gap-2 font-mono text-xs">
                  <input
                    type="checkbox"
                    name="globalUnique"
                    value={u.name}
                    defaultChecked={options.globalUnique.includes(u.name)}
                  />
                  {u.table}.{u.columns.join(", ")}
                </label>
              ))}
            </fieldset>
          </details>
        )}
        <details open={Boolean(options.fromColumn || errors?.fromColumn)}>
          <summary className="cursor-pointer text-sm text-slate-700">
            Already multi-tenant in the application: each value of a column becomes a customer
          </summary>
          <div className="mt-2 grid gap-4 sm:grid-cols-2">
            {(
              [
                ["fromColumn", "Column that holds the tenant (e.g. organization_id)"],
                ["tenantsTable", "Table whose rows are the tenants (optional)"],
                ["nameColumn", "Its column that names a customer (optional)"],
                ["nullTenant", "Customer for rows without a value (optional, e.g. LEGACY001)"],
                ["via", "Foreign key to follow where two lead to the column: table=key, …"],
              ] as const
            ).map(([field, label]) => (
              <Field key={field} id={field} label={label} errors={errors?.[field]}>
                <input
                  id={field}
                  name={field}
                  defaultValue={field === "via" ? typed.via.join(",") : (typed[field] ?? "")}
                  className={inputClass}
                  aria-invalid={Boolean(errors?.[field])}
                />
              </Field>
            ))}
          </div>
        </details>
        <button
          type="submit"
          className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-slate-100"
        >
          Update the plan
        </button>
      </form>

      {plan.problems.length > 0 ? (
        <div
          role="alert"
          aria-label="The plan cannot run"
          className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800"
        >
          <p className="font-medium">The plan cannot run, and nothing will be changed:</p>
          <ul className="mt-1 list-disc pl-5">
            {plan.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="text-sm text-slate-600">
          {plan.tables.filter((t) => t.scoped).length} tables scoped,{" "}
          {plan.tables.filter((t) => !t.scoped).length} global; {statements} statements in{" "}
          {plan.steps.filter((s) => s.statements.length).length} steps; the tables are locked only
          while the catalog changes; about {plan.estimatedSeconds.toFixed(1)} s for{" "}
          {number.format(plan.tables.reduce((n, t) => n + t.rows, 0))} rows (the catalog&apos;s
          estimates where a table has been analysed, counts where not).
        </p>
      )}

      <details>
        <summary className="cursor-pointer text-sm text-slate-700">
          What changes, table by table
        </summary>
        <ul className="mt-2 space-y-2 text-sm">
          {plan.tables.map((t) => (
            <li key={t.table}>
              <span className="font-mono text-xs font-medium">{t.table}</span>{" "}
              <span className="text-slate-500">({describeRows(t)})</span>
              <ul className="list-disc pl-6 text-slate-700">
                {t.changes.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </details>
      <details>
        <summary className="cursor-pointer text-sm text-slate-700">The SQL, step by step</summary>
        <pre
          aria-label="The plan's SQL"
          tabIndex={0}
          className="mt-2 max-h-96 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100"
        >
          {planScript(plan.steps)}
        </pre>
      </details>
      <RunAdoptionForm
        options={options}
        liveOwner={liveOwner}
        rows={plan.tables.reduce((sum, t) => sum + t.rows, 0)}
        blockedBy={
          errors
            ? "Correct the plan's options first."
            : plan.problems.length
              ? "The plan has problems; see above."
              : blockedBy
        }
      />
    </section>
  );
}
