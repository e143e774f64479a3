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
import { cleanUpCustomer } from "../placement/move";
import { dataPlaneUrl } from "../placement/where";
import { recordJob, type JobOptions, type Progress } from "./jobs";
import { customerTables, deleteBatch, qualifiedName } from "./tables";
import { mendCustomerRowCounts } from "../usage/counters";

export class EraseError extends Error {}

export interface EraseCertificate {
  customer: { id: string; name: string };
  erasedAt: string;
  erasedBy: string;
  export: { sha256: string; createdAt: string; createdBy: string } | null;
  tables: { schema: string; table: string; before: number; after: number }[];
  controlPlane: {
    memberships: number;
    users: number;
    invites: number;
    usageSnapshots: number;
    apiKeys: number;
    usageEvents: number;
  };
}

export interface EraseOptions extends Omit<JobOptions, "kind" | "tenantId"> {
  withoutExport?: boolean;
  /** Rows per delete; each batch commits on its own. */
  batch?: number;
}

export const eraseRequiresExportDays = () => Number(process.env.ERASE_REQUIRES_EXPORT_DAYS ?? 7);

async function count(client: OwnerClient, text: string, values: unknown[] = []) {
  return Number((await client.query<{ n: string }>(text, values)).rows[0].n);
}

/** Erases the customer as a recorded job; its certificate. */
/** What an erase checks before it starts: the customer, and the export it needs. */
interface Erasable {
  name: string;
  export: { sha256: string; created_at: Date; created_by: string } | null;
}

/**
 * Erases the customer as a recorded job; its certificate. A customer that may not be erased
 * (not in offboarding, no recent export) is refused before any job starts.
 */
export async function eraseCustomer(
  ownerUrl: string,
  id: string,
  options: EraseOptions,
): Promise<EraseCertificate> {
  const erasable = await withOwnerClient(ownerUrl, (client) => checkErasable(client, id, options));
  return recordJob(
    ownerUrl,
    { ...options, kind: "erase", tenantId: id },
    (progress) => erase(ownerUrl, id, erasable, options, progress),
    (certificate) => ({
      rows: certificate.tables.reduce((n, t) => n + t.before, 0),
      tables: certificate.tables.length,
      exportSha256: certificate.export?.sha256 ?? null,
    }),
  );
}

async function checkErasable(
  client: OwnerClient,
  id: string,
  options: EraseOptions,
): Promise<Erasable> {
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
  const { rows: exports } = await client.query<NonNullable<Erasable["export"]>>(
    `select sha256, created_at, created_by from control.customer_exports
      where tenant_id = $1 and created_at > now() - make_interval(days => $2)
      order by created_at desc limit 1`,
    [id, days],
  );
  if (!exports.length && !options.withoutExport)
    throw new EraseError(
      `${name} (${id}) has no export from the last ${days} days: export it first (npm run customer -- export ${id}), or erase without one (--without-export). Nothing was erased.`,
    );
  return { name, export: exports[0] ?? null };
}

async function erase(
  ownerUrl: string,
  id: string,
  { name, export: exported }: Erasable,
  options: EraseOptions,
  progress: Progress,
): Promise<EraseCertificate> {
  const batch = options.batch ?? 5_000;
  // A finished move leaves the customer's rows on its old database for a grace period: they go
  // first (each recorded with its move, docs/architecture.md §13).
  progress.step("deleting the rows earlier moves left on other databases");
  await cleanUpCustomer(ownerUrl, id, options.by);
  // The rows where the customer lives (docs/architecture.md §13); the control plane's on the primary.
  return withOwnerClient(await dataPlaneUrl(ownerUrl, id), async (client) => {
    await client.query("select set_config('app.tenant_id', $1, false)", [id]);
    const tables = [...(await customerTables(client))].reverse();
    progress.tables(tables.map((t) => ({ table: `${t.schema}.${t.table}` })));
    progress.step("erasing the rows");
    // In replica mode (the owner's to set): the application's triggers do not fire, so none
    // writes a row of the customer back (a trigger that logs each delete would), and no foreign
    // key is checked row by row: every row that points at one of the customer's is the
    // customer's (the keys are composite), and all of them go, tables in a cycle too.
    await client.query("set session_replication_role = replica");
    await client.query("set role tenantry_tenant");
    const before: number[] = [];
    const erased: EraseCertificate["tables"] = [];
    try {
      for (const t of tables) {
        const table = `${t.schema}.${t.table}`;
        const rows = await count(client, `select count(*) as n from ${qualifiedName(t)}`);
        before.push(rows);
        let deleted = 0;
        progress.table(table, 0, "running", rows);
        for (;;) {
          const { rowCount } = await client.query(deleteBatch(t, batch));
          deleted += rowCount ?? 0;
          progress.table(table, deleted);
          if ((rowCount ?? 0) < batch) break;
        }
        progress.table(table, deleted, "done");
      }
      // What is left, every table read once all are done: the certificate says so.
      for (const [i, t] of tables.entries())
        erased.push({
          schema: t.schema,
          table: t.table,
          before: before[i],
          after: await count(client, `select count(*) as n from ${qualifiedName(t)}`),
        });
      const left = erased.filter((t) => t.after > 0);
      if (left.length)
        throw new EraseError(
          `Rows of ${name} (${id}) were written while it was erased: ${left.map((t) => `${t.schema}.${t.table} (${t.after})`).join(", ")}. Stop what writes them, then erase again.`,
        );
      // Nor did the counting triggers run: the customer's counts, mended to none.
      await client.query("reset role");
      await mendCustomerRowCounts(client, id);
    } finally {
      await client.query("reset role");
      await client.query("reset session_replication_role");
    }
    erased.reverse();

    progress.step("removing the control-plane rows and writing the certificate");
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
        // Its API keys go (a key of an erased customer would fail anyway), with its metered
        // events and its months of call counts.
        apiKeys: await gone("api_keys"),
        usageEvents: await gone("usage_events"),
      };
      await gone("usage_event_totals");
      await gone("api_calls");
      await gone("usage_sizes");
      await tx.query(
        `update control.customers set status = 'erased', contact_email = 'erased@example.invalid',
                settings = '{}', quota_overrides = '{}', version = version + 1 where id = $1`,
        [id],
      );
      const certificate: EraseCertificate = {
        customer: { id, name },
        erasedAt: new Date().toISOString(),
        erasedBy: options.by,
        export: exported
          ? {
              sha256: exported.sha256,
              createdAt: exported.created_at.toISOString(),
              createdBy: exported.created_by,
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
