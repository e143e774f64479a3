// Recomputes the audit hash chain (DESIGN §3 invariant 7) and names the first event that does
// not fit: changed content, a changed or missing predecessor, or a gap in the sequence.
import "server-only";
import { sql } from "drizzle-orm";
import { withSystem } from "@/db/tenant";

export type ChainReport =
  | { ok: true; events: number; firstSeq: number | null; lastSeq: number | null }
  | { ok: false; events: number; brokenId: number | null; brokenSeq: number | null; reason: string };

export async function verifyAuditChain(): Promise<ChainReport> {
  return withSystem(
    "audit-verify",
    async (tx) => {
      const { rows: broken } = await tx.execute<{ id: number; chain_seq: number; reason: string }>(sql`
        with head as (select seq, last_hash, anchor_seq, anchor_hash from control.audit_chain where chain = 'main'),
        walked as (
          select e.id, e.chain_seq, e.prev_hash, e.hash,
                 control.audit_event_hash(e.prev_hash, e) as recomputed,
                 lag(e.hash) over w as previous_hash, lag(e.chain_seq) over w as previous_seq
            from control.audit_events e
          window w as (order by e.chain_seq))
        select w.id::int, w.chain_seq::int,
               case when w.hash is distinct from w.recomputed then 'its content does not match its hash'
                    when w.chain_seq <> coalesce(w.previous_seq, h.anchor_seq) + 1 then 'events before it are missing'
                    else 'its link to the previous event is broken' end as reason
          from walked w, head h
         where w.hash is distinct from w.recomputed
            or w.chain_seq <> coalesce(w.previous_seq, h.anchor_seq) + 1
            or w.prev_hash is distinct from coalesce(w.previous_hash, h.anchor_hash)
         order by w.chain_seq
         limit 1`);
      const { rows: summary } = await tx.execute<{ events: number; first_seq: number | null; last_seq: number | null; last_hash: string | null; head_seq: number; head_hash: string | null }>(sql`
        select (select count(*)::int from control.audit_events) as events,
               (select min(chain_seq)::int from control.audit_events) as first_seq,
               (select max(chain_seq)::int from control.audit_events) as last_seq,
               (select hash from control.audit_events order by chain_seq desc limit 1) as last_hash,
               h.seq::int as head_seq, h.last_hash as head_hash
          from control.audit_chain h where h.chain = 'main'`);
      const s = summary[0];
      if (broken.length > 0) {
        return { ok: false, events: s.events, brokenId: broken[0].id, brokenSeq: broken[0].chain_seq, reason: broken[0].reason };
      }
      // The newest events are gone when the head has moved past the last one left.
      if ((s.last_seq ?? 0) !== s.head_seq && !(s.events === 0 && s.head_seq === 0)) {
        return { ok: false, events: s.events, brokenId: null, brokenSeq: s.head_seq, reason: `the newest events (up to position ${s.head_seq}) are missing` };
      }
      if (s.events > 0 && s.last_hash !== s.head_hash) {
        return { ok: false, events: s.events, brokenId: null, brokenSeq: s.last_seq, reason: "the newest event does not match the chain head" };
      }
      return { ok: true, events: s.events, firstSeq: s.first_seq, lastSeq: s.last_seq };
    },
    { readOnly: true },
  );
}

export function describeChain(report: ChainReport): string {
  if (report.ok) {
    return report.events === 0
      ? "The audit log is empty; nothing to verify."
      : `The audit chain is intact: ${report.events} events, positions ${report.firstSeq} to ${report.lastSeq}.`;
  }
  const where = report.brokenId !== null ? `event ${report.brokenId} (position ${report.brokenSeq})` : `position ${report.brokenSeq}`;
  return `The audit chain is broken at ${where}: ${report.reason}.`;
}
