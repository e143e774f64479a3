// Erasing a customer (README, "Customer archives"), the last step of offboarding: only a customer
// in offboarding, and only after a recent export unless the admin says otherwise. Rows go table
// by table in reverse foreign-key order, in batches that each commit, so no lock is held long;
// deletes run as the tenant role under the customer's setting, so RLS keeps every other
// customer's rows out of reach. The control-plane rows go too (its users' accounts with their
// memberships); audit events stay, as the legal
// record. The certificate — per table the rows before and after, the export's hash, who and
// when — is kept, and written to the audit log.
import "server-only";
import { drizzle } from "drizzle-orm/node-postgres";
import { inOwnerTransaction, withOwnerClient, type OwnerClient } from "@/db/owner";
import { insertAuditEvent } from "@/lib/audit/record";
import { customerTables, qualifiedName } from "./tables";

export class EraseError extends Error {}

export interface EraseCertificate {
  customer: { id: string; name: string };
  erasedAt: string;
  erasedBy: string;
  export: { sha256: string; createdAt: string; createdBy: string } | null;
  tables: { schema: string; table: string; before: number; after: number }[];
  controlPlane: { memberships: number; users: number; invites: number; usageSnapshots: number };
}

export interface EraseOptions {
  by: string;
  withoutExport?: boolean;
  /** Rows per delete; each batch commits on its own. */
  batch?: number;
  onTable?: (table: string, deleted: number) => void;
}

export const eraseRequiresExportDays = () => Number(process.env.ERASE_REQUIRES_EXPORT_DAYS ?? 7);

async function count(client: OwnerClient, text: string, values: unknown[] = []) {
  return Number((await client.query<{ n: string }>(text, values)).rows[0].n);
}

export function eraseCustomer(
  ownerUrl: string,
  id: string,
  options: EraseOptions,
): Promise<EraseCertificate> {
  const batch = options.batch ?? 5_000;
  return withOwnerClient(ownerUrl, async (client) => {
    await client.query("select set_config('app.tenant_id', $1, false)", [id]);
    const { rows: found } = await client.query<{ name: string; status: string }>(
      "select name, status from control.customers where id = $1",
      [id],
    );
    if (!found.length) throw new EraseError(`There is no customer ${id}. Nothing was erased.`);
    const [{ name, status }] = found;
    if (status !== "offboarding")
      throw new EraseError(
        `${name} (${id}) is ${status}: only a customer in offboarding can be erased. Start its offboarding first. Nothing was erased.`,
      );
    const days = eraseRequiresExportDays();
    const { rows: exports } = await client.query<{
      sha256: string;
      created_at: Date;
      created_by: string;
    }>(
      `select sha256, created_at, created_by from control.customer_exports
        where tenant_id = $1 and created_at > now() - make_interval(days => $2)
        order by created_at desc limit 1`,
      [id, days],
    );
    if (!exports.length && !options.withoutExport)
      throw new EraseError(
        `${name} (${id}) has no export from the last ${days} days: export it first (npm run customer -- export ${id}), or erase without one (--without-export). Nothing was erased.`,
      );

    const tables = await customerTables(client);
    await client.query("set role tenantry_tenant");
    const erased: EraseCertificate["tables"] = [];
    try {
      for (const t of [...tables].reverse()) {
        const before = await count(client, `select count(*) as n from ${qualifiedName(t)}`);
        let deleted = 0;
        for (;;) {
          const { rowCount } = await client.query(
            `delete from ${qualifiedName(t)} where (tableoid, ctid) in (select tableoid, ctid from ${qualifiedName(t)} limit ${batch})`,
          );
          deleted += rowCount ?? 0;
          options.onTable?.(`${t.schema}.${t.table}`, deleted);
          if ((rowCount ?? 0) < batch) break;
        }
        const after = await count(client, `select count(*) as n from ${qualifiedName(t)}`);
        erased.push({ schema: t.schema, table: t.table, before, after });
        // Cleared of the dead entries, its indexes answer the foreign-key checks of the parent
        // rows deleted next at once. VACUUM blocks no writer; only the owner may run it.
        await client.query("reset role");
        await client.query(`vacuum ${qualifiedName(t)}`);
        await client.query("set role tenantry_tenant");
      }
    } finally {
      await client.query("reset role");
    }
    erased.reverse();

    return inOwnerTransaction(ownerUrl, async (tx) => {
      await tx.query("select set_config('app.tenant_id', $1, true)", [id]);
      const gone = async (table: string) =>
        (await tx.query(`delete from control.${table} where tenant_id = $1`, [id])).rowCount ?? 0;
      // A user belongs to one customer (memberships_user_key): its members' accounts go too.
      const { rows: members } = await tx.query<{ user_id: string }>(
        "select user_id from control.memberships where tenant_id = $1",
        [id],
      );
      const invites = await gone("invites");
      const memberships = await gone("memberships");
      const { rowCount: users } = await tx.query(
        "delete from control.users where id = any($1::uuid[]) and platform_role is null",
        [members.map((m) => m.user_id)],
      );
      const controlPlane = {
        invites,
        memberships,
        users: users ?? 0,
        usageSnapshots: await gone("usage_snapshots"),
      };
      await tx.query(
        `update control.customers set status = 'erased', contact_email = 'erased@example.invalid',
                settings = '{}', quota_overrides = '{}', version = version + 1 where id = $1`,
        [id],
      );
      const certificate: EraseCertificate = {
        customer: { id, name },
        erasedAt: new Date().toISOString(),
        erasedBy: options.by,
        export: exports.length
          ? {
              sha256: exports[0].sha256,
              createdAt: exports[0].created_at.toISOString(),
              createdBy: exports[0].created_by,
            }
          : null,
        tables: erased,
        controlPlane,
      };
      await tx.query(
        "insert into control.erasures (tenant_id, erased_by, certificate) values ($1, $2, $3)",
        [id, options.by, certificate],
      );
      await insertAuditEvent(drizzle(tx), {
        action: "customers.erase",
        outcome: "ok",
        actorRole: options.by,
        tenantId: id,
        targetType: "customer",
        targetId: id,
        details: {
          rows: erased.reduce((n, t) => n + t.before, 0),
          tables: erased.length,
          exportSha256: certificate.export?.sha256 ?? null,
        },
      });
      return certificate;
    });
  });
}
