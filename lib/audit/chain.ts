// Recomputes the audit hash chains (docs/architecture.md §7) — one per customer, one for platform
// events — and names the first event that does not fit: changed content, a changed or missing
// predecessor, a gap, or a missing newest event. What is pending is sealed first; events
// written after that are counted as not yet sealed.
import "server-only";
import { sql } from "drizzle-orm";
import { withSystem } from "@/db/tenant";
import { sealAuditEvents } from "./seal";

export type ChainReport =
  | { ok: true; events: number; chains: number; unsealed: number }
  | {
      ok: false;
      events: number;
      chain: string;
      brokenId: number | null;
      brokenSeq: number | null;
      reason: string;
    };

/**
 * Every chain, or the one `chain` names (a customer's ID; '' for the platform's): one chain's
 * walk reads only its own events, by their position index.
 */
export async function verifyAuditChain(options: { chain?: string } = {}): Promise<ChainReport> {
  await sealAuditEvents();
  const only = options.chain;
  const ofChain = only === undefined ? sql`true` : sql`coalesce(e.tenant_id, '') = ${only}`;
  const headOf = only === undefined ? sql`true` : sql`h.chain = ${only}`;
  return withSystem(
    "audit-verify",
    async (tx) => {
      const { rows: counts } = await tx.execute<{
        events: number;
        chains: number;
        unsealed: number;
      }>(
        sql`select (select count(*)::int from control.audit_events e where ${ofChain} and e.hash is not null) as events,
                   (select count(*)::int from control.audit_chain h where ${headOf}) as chains,
                   (select count(*)::int from control.audit_events e where ${ofChain} and e.hash is null) as unsealed`,
      );
      const { events, chains, unsealed } = counts[0];
      const { rows: broken } = await tx.execute<{
        chain: string;
        id: number;
        chain_seq: number;
        reason: string;
      }>(sql`
        with walked as (
          select e.id, coalesce(e.tenant_id, '') as chain, e.chain_seq, e.prev_hash, e.hash,
                 control.audit_event_hash(e.prev_hash, e) as recomputed,
                 lag(e.hash) over w as previous_hash, lag(e.chain_seq) over w as previous_seq
            from control.audit_events e
           where ${ofChain} and e.hash is not null
          window w as (partition by coalesce(e.tenant_id, '') order by e.chain_seq))
        select w.chain, w.id::int, w.chain_seq::int,
               case when h.chain is null then 'its chain has no head'
                    when w.hash is distinct from w.recomputed then 'its content does not match its hash'
                    when w.chain_seq <> coalesce(w.previous_seq, h.anchor_seq) + 1 then 'events before it are missing'
                    else 'its link to the previous event is broken' end as reason
          from walked w left join control.audit_chain h on h.chain = w.chain
         where h.chain is null
            or w.hash is distinct from w.recomputed
            or w.chain_seq <> coalesce(w.previous_seq, h.anchor_seq) + 1
            or w.prev_hash is distinct from coalesce(w.previous_hash, h.anchor_hash)
         order by w.chain, w.chain_seq
         limit 1`);
      if (broken.length > 0) {
        const b = broken[0];
        return {
          ok: false,
          events,
          chain: b.chain,
          brokenId: b.id,
          brokenSeq: b.chain_seq,
          reason: b.reason,
        };
      }
      // The newest events of a chain are gone when its head has moved past the last one left.
      const { rows: tails } = await tx.execute<{ chain: string; seq: number }>(sql`
        select h.chain, h.seq::int
          from control.audit_chain h
          left join lateral (
            select e.chain_seq, e.hash from control.audit_events e
             where coalesce(e.tenant_id, '') = h.chain and e.hash is not null
             order by e.chain_seq desc limit 1) t on true
         where ${headOf} and (coalesce(t.chain_seq, h.anchor_seq) <> h.seq
            or (t.chain_seq is not null and t.hash is distinct from h.last_hash))
         limit 1`);
      if (tails.length > 0) {
        return {
          ok: false,
          events,
          chain: tails[0].chain,
          brokenId: null,
          brokenSeq: tails[0].seq,
          reason: `its newest events (up to position ${tails[0].seq}) are missing`,
        };
      }
      return { ok: true, events, chains, unsealed };
    },
    { readOnly: true },
  );
}

export function describeChain(report: ChainReport): string {
  if (report.ok) {
    const pending =
      report.unsealed === 0
        ? ""
        : ` ${report.unsealed} event${report.unsealed === 1 ? " was" : "s were"} written after sealing and ${report.unsealed === 1 ? "is" : "are"} not sealed yet; the next verify proves ${report.unsealed === 1 ? "it" : "them"}.`;
    return report.events === 0 && report.unsealed === 0
      ? "The audit log is empty; nothing to verify."
      : `The audit chains are intact: ${report.events} events in ${report.chains} chain${report.chains === 1 ? "" : "s"}.${pending}`;
  }
  const chain = report.chain === "" ? "the platform chain" : `customer ${report.chain}'s chain`;
  const where =
    report.brokenId !== null
      ? `event ${report.brokenId} (position ${report.brokenSeq})`
      : `position ${report.brokenSeq}`;
  return `The audit log is broken in ${chain} at ${where}: ${report.reason}.`;
}
