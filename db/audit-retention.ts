// npm run audit:retention — deletes audit events older than AUDIT_RETENTION_DAYS (default 365),
// as the owner, in one transaction that also records, for each chain, the anchor (the hash of
// its last deleted event, so the chain stays verifiable across the cut) and writes its own
// audit event.
import { inOwnerTransaction } from "./owner";

export async function applyAuditRetention(ownerUrl: string, options: { days: number; now?: Date }) {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.days * 86_400_000);
  return inOwnerTransaction(ownerUrl, async (client) => {
    await client.query("select set_config('app.audit_retention', 'on', true)");
    // FORCE binds the owner to RLS too: events are read and deleted as tenantry_platform (which
    // bypasses it); the chain heads are written as the owner, and the trigger still sees the
    // owner's login (session_user) with the retention flag.
    await client.query("set local role tenantry_platform");
    // What is pending is sealed first, so every old event has its place in its chain.
    await client.query("select control.seal_audit_events(2147483647)");
    // Per chain, only a prefix may go: everything up to its last old event, in chain order.
    const { rows: cuts } = await client.query<{ chain: string; cut: string; hash: string }>(
      `select c.chain, c.cut, e.hash
         from (select coalesce(tenant_id, '') as chain, max(chain_seq) as cut
                 from control.audit_events where at < $1 group by 1) c
         join control.audit_events e on coalesce(e.tenant_id, '') = c.chain and e.chain_seq = c.cut`,
      [cutoff],
    );
    await client.query("reset role");
    for (const c of cuts) {
      await client.query(
        "update control.audit_chain set anchor_seq = $2, anchor_hash = $3 where chain = $1",
        [c.chain, c.cut, c.hash],
      );
    }
    await client.query("set local role tenantry_platform");
    // The sealer's counts per chain and day (migration 0081) lose what goes, so a window that
    // reaches past the cut (a retention under 31 days) counts only what is kept.
    const {
      rows: [{ deleted }],
    } = await client.query<{ deleted: number }>(
      `with gone as (
         delete from control.audit_events e using control.audit_chain h
          where h.chain = coalesce(e.tenant_id, '') and e.chain_seq <= h.anchor_seq
         returning (e.at at time zone 'UTC')::date as day, h.chain),
       counted as (select day, chain, count(*) as n from gone group by 1, 2),
       uncounted as (
         update control.audit_daily d set events = d.events - c.n
           from counted c where d.day = c.day and d.chain = c.chain)
       select coalesce(sum(n), 0)::int as deleted from counted`,
    );
    await client.query(
      "insert into control.audit_events (actor_role, action, outcome, details) values ('system', 'audit.retention', 'ok', $1)",
      [
        JSON.stringify({
          days: options.days,
          cutoff: cutoff.toISOString(),
          deleted,
          chains: cuts.length,
        }),
      ],
    );
    return { deleted, chains: cuts.length, cutoff };
  });
}
