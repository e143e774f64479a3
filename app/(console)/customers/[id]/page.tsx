import {
  EditCustomerForm,
  ExtendTrialForm,
  PlanForm,
  TransitionForm,
} from "@/components/customers/customer-forms";
import { DataJobs } from "@/components/customers/data-jobs";
import { EraseForm } from "@/components/customers/erase-form";
import { ExportLink } from "@/components/customers/export-link";
import { StatusBadge } from "@/components/customers/status-badge";
import { StartSwitchForm } from "@/components/switches/start-switch-form";
import { ApiCallsBar, UsageFigures } from "@/components/usage/usage-figures";
import { EmptyState } from "@/components/ui/empty-state";
import { LiveRefresh } from "@/components/ui/live-refresh";
import { PageHeader } from "@/components/ui/page-header";
import { Cell, Row, Table } from "@/components/ui/table";
import { platformPage } from "@/lib/auth/pages";
import { dataLifecycle } from "@/lib/portability/queries";
import { listMoves, listRegisteredDatabases } from "@/lib/placement/queries";
import { MoveForm } from "@/components/placement/move-form";
import { NewKeyForm } from "@/components/api/key-forms";
import { KeysTable } from "@/components/api/keys-table";
import { listKeys } from "@/lib/api/keys";
import { MovesList } from "@/components/placement/moves-list";
import { formatCustomerId } from "@/lib/customers/ids";
import { isTrialExpired, transitionsFrom } from "@/lib/customers/lifecycle";
import { customerHistory, getCustomer, listPlans } from "@/lib/customers/queries";
import { customerIdSchema } from "@/lib/customers/schemas";
import { apiCallsThisMonth } from "@/lib/api/queries";
import { effectiveLimits, latestFigures } from "@/lib/usage/queries";
import { listMembers } from "@/lib/users/queries";
import { memberPageSchema } from "@/lib/users/schemas";
import { ListPages } from "@/components/ui/page-link";
import { ResetLinkButton } from "@/components/account/reset-link-button";
import { EndUserSessionsButton } from "@/components/account/session-buttons";
import { CustomerHistory } from "@/components/customers/customer-history";
import { Section } from "@/components/ui/section";
import { dateTime } from "@/components/ui/format";
import { redirect } from "next/navigation";
import { pastTheLastRow } from "@/lib/lists/keyset";

export const dynamic = "force-dynamic";
export const metadata = { title: "Customer" };

export default async function CustomerPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const raw = (await params).id;
  // The users section pages by its own parameter, `users`.
  const { cursor: usersFrom } = memberPageSchema.parse({ cursor: (await searchParams).users });
  const parsed = customerIdSchema.safeParse(raw);
  // A malformed ID is no customer: audited as a denied view of what was asked for.
  const id = parsed.success ? parsed.data : null;
  const {
    data: {
      customer,
      plan,
      history,
      members,
      plans,
      usage,
      limits,
      calls,
      data,
      databases,
      moves,
      keys,
    },
  } = await platformPage(
    // The view is on the customer's own trail too; an unknown ID lands on the platform's.
    {
      permission: "customers.manage",
      action: "customers.view",
      tenantId: id ?? undefined,
      targetType: "customer",
      targetId: id ?? raw,
    },
    async (tx) => {
      const detail = id ? await getCustomer(tx, id) : null;
      const limits = id && detail ? await effectiveLimits(tx, id) : null;
      if (!id || !detail || !limits) return null;
      return {
        ...detail,
        history: await customerHistory(tx, id),
        members: await listMembers(tx, id, usersFrom),
        plans: await listPlans(tx),
        usage: await latestFigures(tx, id),
        limits,
        calls: await apiCallsThisMonth(tx, id),
        data: await dataLifecycle(tx, id),
        databases: await listRegisteredDatabases(tx),
        moves: await listMoves(tx, { customer: id, limit: 5 }),
        keys: await listKeys(tx, id),
      };
    },
  );
  // A later page of its users that came back empty (they were removed since): the first one.
  if (pastTheLastRow(members)) redirect(`/customers/${customer.id}`);
  const overrides = customer.quotaOverrides as Record<string, number>;
  const transitions = transitionsFrom(customer.status);
  return (
    <>
      <PageHeader
        title={customer.name}
        description={`Customer ${formatCustomerId(customer.id)} · ${plan.displayName} plan`}
      />
      <p className="-mt-4 mb-6 flex items-center gap-3 text-sm">
        <StatusBadge status={customer.status} trialExpired={isTrialExpired(customer)} />
        <span className="text-slate-500">
          created {dateTime.format(customer.createdAt)} UTC
          {customer.trialEndsAt &&
            customer.status === "trial" &&
            ` · trial ends ${dateTime.format(customer.trialEndsAt)} UTC`}
        </span>
      </p>
      <div className="grid gap-6 lg:grid-cols-2">
        <Section title="Profile">
          <EditCustomerForm
            id={customer.id}
            version={customer.version}
            name={customer.name}
            contactEmail={customer.contactEmail}
          />
        </Section>
        <Section title="Plan and limits">
          <PlanForm
            id={customer.id}
            version={customer.version}
            plan={customer.plan}
            overrides={overrides}
            plans={plans.map((p) => ({ name: p.name, displayName: p.displayName }))}
          />
        </Section>
        <Section title="Status">
          {(customer.status === "trial" || customer.status === "expired") && (
            <div className="mb-4">
              <ExtendTrialForm id={customer.id} version={customer.version} />
            </div>
          )}
          {transitions.length === 0 ? (
            <p className="text-sm text-slate-600">
              A {customer.status} customer has no further status.
            </p>
          ) : (
            <div className="space-y-4">
              {transitions.map((t) => (
                <TransitionForm
                  key={t.to}
                  id={customer.id}
                  version={customer.version}
                  to={t.to}
                  verb={t.verb}
                  reasonRequired={t.reasonRequired}
                />
              ))}
            </div>
          )}
        </Section>
        <Section title="Data">
          <LiveRefresh active={data.jobs.some((j) => j.status === "running" && !j.stale)} />
          {data.erasure ? (
            <p className="text-sm text-slate-700">
              Erased {dateTime.format(data.erasure.erasedAt)} UTC by {data.erasure.erasedBy}.{" "}
              <a
                href={`/api/data/erasure?customer=${customer.id}`}
                download
                className="font-medium underline"
              >
                Download the erase certificate
              </a>
            </p>
          ) : (
            <div className="space-y-4">
              <p className="text-sm text-slate-600">
                Every row of this customer in the data plane, as an archive with a manifest of
                counts and checksums; <code>npm run customer -- restore</code> reads it back.
                Recorded in the audit log.{" "}
                {data.lastExport
                  ? `Last export: ${dateTime.format(data.lastExport.createdAt)} UTC by ${data.lastExport.createdBy}, ${data.lastExport.rows.toLocaleString("en")} rows.`
                  : "Never exported."}
              </p>
              <ExportLink href={`/api/data/export?customer=${customer.id}`} />
              {data.backups.length > 0 ? (
                <table className="w-full text-sm">
                  <caption className="mb-1 text-left font-medium">Backups, newest first</caption>
                  <thead>
                    <tr className="text-left text-slate-500">
                      <th scope="col">Taken (UTC)</th>
                      <th scope="col">Rows</th>
                      <th scope="col">Size</th>
                      <th scope="col">Verified</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.backups.map((b) => (
                      <tr key={b.id}>
                        <td>{dateTime.format(b.createdAt)}</td>
                        <td>{b.rows.toLocaleString("en")}</td>
                        <td>{(b.bytes / 2 ** 20).toFixed(1)} MB</td>
                        <td>{b.verified ? "yes" : `no: ${b.error}`}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p className="text-sm text-slate-600">No backups yet.</p>
              )}
              {customer.status === "offboarding" && <EraseForm id={customer.id} />}
            </div>
          )}
        </Section>
        <Section title="Data jobs">
          <DataJobs jobs={data.jobs} />
        </Section>
        <Section title="Placement">
          <LiveRefresh active={moves.some((m) => m.status === "running")} />
          <div className="space-y-4">
            <p className="text-sm text-slate-700">
              Its data plane lives on <strong>{customer.database}</strong>.
            </p>
            <MoveForm
              customer={customer.id}
              targets={databases
                .filter((d) => d.status === "active" && d.name !== customer.database)
                .map((d) => d.name)}
              disabled={moves.some((m) => m.status === "running") ? "A move is in progress." : null}
            />
            <MovesList moves={moves} />
          </div>
        </Section>
        <Section title="API keys">
          <div className="space-y-4">
            <KeysTable keys={keys} caption={`API keys of ${customer.name}`} any />
            <details>
              <summary className="cursor-pointer text-sm text-slate-600">
                Create a key for {customer.name}
              </summary>
              <div className="mt-3">
                <NewKeyForm customer={customer.id} />
              </div>
            </details>
          </div>
        </Section>
        <Section title="Switch into this customer">
          <StartSwitchForm
            customerId={customer.id}
            customerName={customer.name}
            customerStatus={customer.status}
          />
        </Section>
        <Section title="Usage">
          <UsageFigures
            figures={usage.figures}
            takenAt={usage.takenAt}
            scoped={"rows.total" in usage.figures}
          />
          <div className="mt-4">
            <ApiCallsBar calls={calls} limits={limits} />
          </div>
        </Section>
        <Section title="Users">
          {members.rows.length === 0 ? (
            <EmptyState title="No users yet" />
          ) : (
            <Table headers={["Name", "Email", "Role", ""]}>
              {members.rows.map((m) => (
                <Row key={m.id}>
                  <Cell>
                    {m.displayName}
                    {m.status !== "active" && (
                      <span className="ml-2 text-xs text-red-700">suspended</span>
                    )}
                  </Cell>
                  <Cell>{m.email}</Cell>
                  <Cell>{m.role}</Cell>
                  <Cell>
                    <div className="flex flex-wrap justify-end gap-2">
                      <ResetLinkButton userId={m.id} email={m.email} platform />
                      <EndUserSessionsButton userId={m.id} email={m.email} platform />
                    </div>
                  </Cell>
                </Row>
              ))}
            </Table>
          )}
          <ListPages
            list={members}
            href={(c) => `/customers/${customer.id}${c ? `?users=${c}` : ""}`}
          />
        </Section>
        <Section title="History">
          <CustomerHistory history={history} />
        </Section>
      </div>
    </>
  );
}
