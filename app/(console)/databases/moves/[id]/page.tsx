import Link from "next/link";
import { CleanUpButton, RollBackButton } from "@/components/placement/move-buttons";
import { MovePhases } from "@/components/placement/moves-list";
import { Elapsed } from "@/components/ui/elapsed";
import { dateTimeSeconds, number } from "@/components/ui/format";
import { LiveRefresh } from "@/components/ui/live-refresh";
import { PageHeader } from "@/components/ui/page-header";
import { Section } from "@/components/ui/section";
import { Cell, Row, Table } from "@/components/ui/table";
import { platformPage } from "@/lib/auth/pages";
import { copyRate, getMove } from "@/lib/placement/queries";
import { moveIdSchema } from "@/lib/placement/schemas";

export const dynamic = "force-dynamic";
export const metadata = { title: "Move" };

const bytes = (n: number) =>
  n < 2 ** 20 ? `${number.format(Math.round(n / 1024))} kB` : `${(n / 2 ** 20).toFixed(1)} MB`;

export default async function MovePage({ params }: { params: Promise<{ id: string }> }) {
  const raw = (await params).id;
  const parsed = moveIdSchema.safeParse({ id: raw });
  const { data: move } = await platformPage(
    {
      permission: "databases.manage",
      action: "moves.view",
      targetType: "move",
      targetId: raw,
    },
    async (tx) => (parsed.success ? getMove(tx, parsed.data.id) : null),
  );
  const running = move.status === "running";
  const rate = copyRate(move);
  const verify = move.steps.filter((s) => s.phase === "verify").at(-1);
  const reverify = move.steps.filter((s) => s.phase === "reverify").at(-1);
  const rows = move.progress.reduce((n, t) => n + t.rows, 0);
  const of = move.progress.reduce((n, t) => n + (t.of ?? t.rows), 0);
  return (
    <>
      <LiveRefresh active={running || move.cancelRequestedBy !== null} intervalMs={1000} />
      <PageHeader
        title={`Move of ${move.customerName ?? move.tenantId}`}
        description={`${move.tenantId}: ${move.source} → ${move.target}, ${move.mode}, started ${dateTimeSeconds.format(move.startedAt)} UTC by ${move.startedBy}.`}
      />
      <p className="-mt-4 mb-6 text-sm">
        <Link href="/databases" className="text-sky-700 underline">
          All databases and moves
        </Link>
      </p>
      <div className="space-y-6">
        <Section title="Where it stands">
          <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm md:grid-cols-4">
            <dt className="text-slate-500">Status</dt>
            <dd aria-label="Status">
              {move.status}
              {running && `, now ${move.phase}`}
              {move.status === "failed" && ` in ${move.phase}`}
            </dd>
            <dt className="text-slate-500">Rows</dt>
            <dd>
              {number.format(rows)} of {number.format(of)}
            </dd>
            <dt className="text-slate-500">Rate</dt>
            <dd>{rate === null ? "—" : `${number.format(Math.round(rate))} rows/s`}</dd>
            <dt className="text-slate-500">Replication lag</dt>
            <dd>
              {move.mode === "offline"
                ? "none (offline)"
                : move.lagBytes === null
                  ? "—"
                  : bytes(move.lagBytes)}
            </dd>
            <dt className="text-slate-500">Writes held</dt>
            <dd aria-label="Writes held">
              {move.frozenAt ? (
                <span className="font-medium text-amber-800">
                  now, for <Elapsed since={move.frozenAt} />
                </span>
              ) : move.freezeMs !== null ? (
                `${number.format(move.freezeMs)} ms`
              ) : (
                "not yet"
              )}
            </dd>
            <dt className="text-slate-500">Verification</dt>
            <dd>
              {verify
                ? `${verify.outcome}${verify.ms !== null ? ` in ${number.format(verify.ms)} ms` : ""}: rows and checksums of every table on both sides`
                : "not yet"}
              {reverify &&
                `; again with the writes held: ${reverify.outcome}${reverify.note ? ` (${reverify.note})` : ""}`}
            </dd>
            <dt className="text-slate-500">Old rows on {move.source}</dt>
            <dd aria-label="Old rows">
              {!move.flipped
                ? "the customer still lives there"
                : move.cleanedAt
                  ? `deleted ${dateTimeSeconds.format(move.cleanedAt)} UTC`
                  : move.cleanupAfter
                    ? `waiting until ${dateTimeSeconds.format(move.cleanupAfter)} UTC (departed: writes there are refused)`
                    : "being deleted"}
            </dd>
          </dl>
          {move.error && (
            <p role="alert" className="mt-3 text-sm text-red-700">
              {move.error}
            </p>
          )}
          <div className="mt-4 flex flex-wrap gap-4">
            {running && !move.flipped && !move.cancelRequestedBy && <RollBackButton id={move.id} />}
            {running && move.cancelRequestedBy && (
              <p className="text-sm text-slate-700">
                Rolling back, as {move.cancelRequestedBy} asked.
              </p>
            )}
            {move.status === "succeeded" && move.flipped && !move.cleanedAt && (
              <CleanUpButton id={move.id} source={move.source} />
            )}
          </div>
        </Section>
        <Section title="Tables">
          {move.progress.length === 0 ? (
            <p className="text-sm text-slate-600">The tables are listed once the move prepares.</p>
          ) : (
            <Table headers={["Table", "Rows", "Of", "State"]} caption="Rows copied per table">
              {move.progress.map((t) => (
                <Row key={t.table}>
                  <Cell>
                    <code>{t.table}</code>
                  </Cell>
                  <Cell className="tabular-nums">{number.format(t.rows)}</Cell>
                  <Cell className="tabular-nums">{t.of === null ? "—" : number.format(t.of)}</Cell>
                  <Cell>{t.state}</Cell>
                </Row>
              ))}
            </Table>
          )}
        </Section>
        <Section title="Phases">
          <MovePhases steps={move.steps} className="text-sm" />
        </Section>
      </div>
    </>
  );
}
