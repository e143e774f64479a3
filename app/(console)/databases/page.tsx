import { MoveForm } from "@/components/placement/move-form";
import { NewPlatformTokenForm } from "@/components/api/key-forms";
import { KeysTable } from "@/components/api/keys-table";
import { listKeys } from "@/lib/api/keys";
import { MovesList } from "@/components/placement/moves-list";
import { IsolationChecks } from "@/components/system/isolation-checks";
import { number } from "@/components/ui/format";
import { LiveRefresh } from "@/components/ui/live-refresh";
import { PageHeader } from "@/components/ui/page-header";
import { Section } from "@/components/ui/section";
import { platformPage } from "@/lib/auth/pages";
import { databaseHealth } from "@/lib/databases/registry";
import { databasesWithCustomers, listMovesPage } from "@/lib/placement/queries";
import { databasesPageSchema } from "@/lib/placement/schemas";
import { ListPages } from "@/components/ui/page-link";
import { redirect } from "next/navigation";
import { pastTheLastRow } from "@/lib/lists/keyset";
import { listQueues, queueCandidates } from "@/lib/placement/queue";
import { PLACEMENT_THRESHOLD_ROWS } from "@/lib/usage/overview";
import { QueueToggle, StartQueueForm } from "@/components/placement/queue-controls";

export const dynamic = "force-dynamic";
export const metadata = { title: "Databases" };

export default async function DatabasesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const { moves: movesFrom } = databasesPageSchema.parse(await searchParams);
  const { data } = await platformPage(
    { permission: "databases.manage", action: "databases.view" },
    async (tx) => {
      const queues = await listQueues(tx);
      const open = queues.find((q) => q.status !== "done");
      return {
        databases: await databasesWithCustomers(tx),
        moves: await listMovesPage(tx, { cursor: movesFrom }),
        queues,
        open,
        next: open ? await queueCandidates(tx, open, 10) : [],
        tokens: await listKeys(tx, null),
      };
    },
  );
  // A later page of the history that came back empty (its moves were removed since): the first.
  if (pastTheLastRow(data.moves)) redirect("/databases");
  // Each database answers for itself, through the app's own login there.
  const health = await Promise.all(data.databases.map((d) => databaseHealth(d)));
  const running =
    data.moves.rows.some((m) => m.status === "running") || data.open?.status === "running";
  return (
    <>
      <LiveRefresh active={running} />
      <PageHeader
        title="Databases"
        description="Every registered database holds the data planes of the customers placed on it. Each is checked as the console's own database is; a customer moves between them with its writes held, never lost."
      />
      <div className="space-y-6">
        {data.databases.map((d, i) => {
          const h = health[i];
          return (
            <Section key={d.name} title={`${d.name} (${d.kind}, ${d.status})`}>
              <dl className="mb-4 grid grid-cols-2 gap-x-6 gap-y-1 text-sm md:grid-cols-4">
                <dt className="text-slate-500">Connection from</dt>
                <dd>
                  <code>{d.envVar}</code>
                </dd>
                <dt className="text-slate-500">Customers</dt>
                <dd>
                  {d.customers.exact ? "" : "about "}
                  {number.format(d.customers.count)}
                </dd>
                <dt className="text-slate-500">Health</dt>
                <dd
                  className={h.reachable && h.isolation?.ok ? "text-emerald-700" : "text-red-700"}
                >
                  {!h.reachable
                    ? `unreachable: ${h.error}`
                    : h.isolation?.ok
                      ? "isolated"
                      : "isolation checks failing"}
                </dd>
                <dt className="text-slate-500">PostgreSQL</dt>
                <dd>{h.version ?? "—"}</dd>
                <dt className="text-slate-500">wal_level</dt>
                <dd>{h.walLevel ?? "—"}</dd>
                <dt className="text-slate-500">Size</dt>
                <dd>{h.bytes === null ? "—" : `${(h.bytes / 2 ** 20).toFixed(1)} MB`}</dd>
                <dt className="text-slate-500">Replication slots</dt>
                <dd>
                  {h.slots.length === 0
                    ? "none"
                    : h.slots
                        .map(
                          (s) =>
                            `${s.name} (${s.active ? "active" : "inactive"}, ${s.retainedBytes ?? 0} bytes retained)`,
                        )
                        .join(", ")}
                </dd>
              </dl>
              {h.isolation && (
                <details>
                  <summary className="cursor-pointer text-sm text-slate-600">
                    Isolation checks ({h.isolation.checks.filter((c) => c.ok).length} of{" "}
                    {h.isolation.checks.length} pass)
                  </summary>
                  <div className="mt-2">
                    <IsolationChecks report={h.isolation} />
                  </div>
                </details>
              )}
            </Section>
          );
        })}
        <Section title="Gradual migration">
          <div className="space-y-4">
            {data.open ? (
              <>
                <p className="text-sm text-slate-700">
                  Moving the shared databases&apos; customers with at least{" "}
                  {number.format(data.open.thresholdRows)} rows to{" "}
                  <strong>{data.open.target}</strong>, smallest first, one at a time:{" "}
                  <strong>{data.open.status}</strong>.
                </p>
                <QueueToggle id={data.open.id} status={data.open.status as "running" | "paused"} />
                {data.next.length === 0 ? (
                  <p className="text-sm text-slate-600">
                    No customer is left to move (from the latest usage figures).
                  </p>
                ) : (
                  <ol aria-label="Next in the queue" className="list-decimal pl-5 text-sm">
                    {data.next.map((c) => (
                      <li key={c.id}>
                        {c.name} ({c.id}), {number.format(c.rows)} rows on {c.database}
                      </li>
                    ))}
                  </ol>
                )}
              </>
            ) : (
              <StartQueueForm
                targets={data.databases
                  .filter((d) => d.kind === "dedicated" && d.status === "active")
                  .map((d) => d.name)}
                defaultThreshold={PLACEMENT_THRESHOLD_ROWS}
              />
            )}
          </div>
        </Section>
        <Section title="Platform tokens">
          <div className="space-y-4">
            <p className="text-sm text-slate-700">
              For operations tooling: a token reads the status API (<code>GET /api/v1/moves</code>,{" "}
              <code>/api/v1/moves/{"{id}"}</code>, <code>/api/v1/adoptions/{"{id}"}</code>) as{" "}
              <code>Authorization: Bearer tnt_…</code>, and nothing else.
            </p>
            <KeysTable keys={data.tokens} caption="Platform tokens" any />
            <NewPlatformTokenForm />
          </div>
        </Section>
        <Section title="Moves">
          <div className="space-y-4">
            <MoveForm
              targets={data.databases.filter((d) => d.status === "active").map((d) => d.name)}
            />
            <MovesList moves={data.moves.rows} />
            <ListPages
              list={data.moves}
              href={(c) => (c ? `/databases?moves=${c}` : "/databases")}
            />
          </div>
        </Section>
      </div>
    </>
  );
}
