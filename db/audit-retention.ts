// npm run audit:retention — deletes audit events older than AUDIT_RETENTION_DAYS (default 365),
// as the owner, in one transaction that also records the anchor (the hash of the last deleted
// event, so the chain stays verifiable across the cut) and writes its own audit event.
import pg from "pg";
import { z } from "zod";

export async function applyAuditRetention(ownerUrl: string, options: { days: number; now?: Date }) {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.days * 86_400_000);
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query("begin");
    await client.query("select set_config('app.audit_retention', 'on', true)");
    // Only a prefix of the chain may go: everything up to the last old event in chain order.
    const { rows } = await client.query<{ seq: string | null; hash: string | null }>(
      `select e.chain_seq as seq, e.hash from control.audit_events e
        where e.chain_seq = (select max(chain_seq) from control.audit_events where at < $1)`,
      [cutoff],
    );
    const cut = rows[0]?.seq ? Number(rows[0].seq) : 0;
    let deleted = 0;
    if (cut > 0) {
      await client.query("update control.audit_chain set anchor_seq = $1, anchor_hash = $2 where chain = 'main'", [cut, rows[0].hash]);
      // FORCE binds the owner to RLS too; tenantry_platform bypasses it, and the trigger still
      // sees the owner's login (session_user) with the retention flag.
      await client.query("set local role tenantry_platform");
      deleted = (await client.query("delete from control.audit_events where chain_seq <= $1", [cut])).rowCount ?? 0;
    } else {
      await client.query("set local role tenantry_platform");
    }
    await client.query(
      "insert into control.audit_events (actor_role, action, outcome, details) values ('system', 'audit.retention', 'ok', $1)",
      [JSON.stringify({ days: options.days, cutoff: cutoff.toISOString(), deleted, anchorSeq: cut })],
    );
    await client.query("commit");
    return { deleted, anchorSeq: cut, cutoff };
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

if (import.meta.filename === process.argv[1]) {
  const env = z
    .object({ DATABASE_URL: z.string().min(1), AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(365) })
    .safeParse(process.env);
  if (!env.success) {
    console.error("Set DATABASE_URL to the owner's connection string (AUDIT_RETENTION_DAYS: whole days, default 365).");
    process.exit(2);
  }
  applyAuditRetention(env.data.DATABASE_URL, { days: env.data.AUDIT_RETENTION_DAYS })
    .then((r) => console.log(`Audit retention: ${r.deleted} events before ${r.cutoff.toISOString()} deleted; the chain is anchored at position ${r.anchorSeq}.`))
    .catch((error: Error) => {
      console.error(`Audit retention failed; nothing was deleted: ${error.message}`);
      process.exit(1);
    });
}
