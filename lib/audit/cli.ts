// npm run audit -- verify | retention
// verify: recomputes every audit hash chain of the database in DATABASE_URL and names the first
// event that does not fit (exit 1 when broken). retention: deletes events older than
// AUDIT_RETENTION_DAYS (default 365) as the owner, anchoring each chain at its cut.
import { parseArgs } from "node:util";
import { z } from "zod";
import { applyAuditRetention } from "@/db/audit-retention";
import { closeDatabase } from "@/db/tenant";
import { describeChain, verifyAuditChain } from "./chain";

const USAGE = "Usage: npm run audit -- verify | retention";

async function verify(): Promise<number> {
  const report = await verifyAuditChain();
  console.log(describeChain(report));
  return report.ok ? 0 : 1;
}

async function retention(): Promise<number> {
  const env = z
    .object({
      DATABASE_URL: z.string().min(1),
      AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(365),
    })
    .safeParse(process.env);
  if (!env.success) {
    console.error(
      "Set DATABASE_URL to the owner's connection string (AUDIT_RETENTION_DAYS: whole days, default 365).",
    );
    return 2;
  }
  const r = await applyAuditRetention(env.data.DATABASE_URL, {
    days: env.data.AUDIT_RETENTION_DAYS,
  }).catch((error: Error) => {
    throw new Error(`Audit retention failed; nothing was deleted: ${error.message}`);
  });
  console.log(
    `Audit retention: ${r.deleted} events before ${r.cutoff.toISOString()} deleted from ${r.chains} chain(s), each anchored at its cut.`,
  );
  return 0;
}

const { positionals } = parseArgs({ allowPositionals: true, options: {} });
const verbs: Record<string, () => Promise<number>> = { verify, retention };
const run = verbs[positionals[0] ?? ""];
try {
  if (!run || positionals.length !== 1) {
    console.error(USAGE);
    process.exitCode = 2;
  } else process.exitCode = await run();
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
