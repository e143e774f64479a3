// Scheduled backups (README, "Customer archives"): every BACKUP_EVERY_HOURS (default 24) each
// customer not erased gets an archive in BACKUP_DIR (default .data/backups), read back against
// its manifest before it counts (verified), and the newest BACKUP_RETENTION (default 7) are
// kept. One console at a time makes them: a second finds the advisory lock taken and skips.
import "server-only";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { withOwnerClient } from "@/db/owner";
import { withCheckedArchive } from "./archive";
import { exportCustomer } from "./export";

export interface BackupSettings {
  dir: string;
  retention: number;
  everyHours: number;
}

export function backupSettings(env: NodeJS.ProcessEnv = process.env): BackupSettings {
  return {
    dir: path.resolve(env.BACKUP_DIR ?? path.join(".data", "backups")),
    retention: Math.max(1, Number(env.BACKUP_RETENTION ?? 7)),
    everyHours: Number(env.BACKUP_EVERY_HOURS ?? 24),
  };
}

export interface BackupRun {
  skipped: boolean;
  made: { customer: string; file: string; verified: boolean; error: string | null }[];
  pruned: number;
}

const LOCK = "tenantry.backups";

/** Backs up every customer whose newest backup is older than `everyHours`, and prunes. */
export async function runDueBackups(
  ownerUrl: string,
  settings: BackupSettings,
): Promise<BackupRun> {
  return withOwnerClient(ownerUrl, async (client) => {
    const { rows: lock } = await client.query<{ locked: boolean }>(
      "select pg_try_advisory_lock(hashtext($1)) as locked",
      [LOCK],
    );
    if (!lock[0].locked) return { skipped: true, made: [], pruned: 0 };
    try {
      // Across customers: the platform role reads past RLS, and only reads.
      await client.query("begin read only");
      await client.query("set local role tenantry_platform");
      const { rows: due } = await client.query<{ id: string }>(
        `select c.id from control.customers c
          where c.status not in ('erased', 'deleted')
            and not exists (select 1 from control.backups b where b.tenant_id = c.id
                             and b.created_at > now() - make_interval(hours => $1))
          order by c.id`,
        [settings.everyHours],
      );
      await client.query("commit");
      const made: BackupRun["made"] = [];
      let pruned = 0;
      for (const { id } of due) {
        const folder = path.join(settings.dir, id);
        await mkdir(folder, { recursive: true });
        const file = path.join(folder, `${new Date().toISOString().replace(/[:.]/g, "-")}.tar.gz`);
        const manifest = await exportCustomer(ownerUrl, id, file, {
          by: "scheduled backup",
          kind: "backup",
        });
        let error: string | null = null;
        await withCheckedArchive(file, async () => undefined).catch(
          (e: Error) => (error = e.message),
        );
        await client.query("begin");
        await client.query("select set_config('app.tenant_id', $1, true)", [id]);
        await client.query(
          "insert into control.backups (tenant_id, file, bytes, sha256, rows, verified, error) values ($1, $2, $3, $4, $5, $6, $7)",
          [
            id,
            file,
            (await stat(file)).size,
            manifest.sha256,
            manifest.tables.reduce((n, t) => n + t.rows, 0),
            error === null,
            error,
          ],
        );
        // The newest `retention` stay; older ones go, file and row.
        const { rows: old } = await client.query<{ id: string; file: string }>(
          "delete from control.backups where id in (select id from control.backups where tenant_id = $1 order by created_at desc offset $2) returning id, file",
          [id, settings.retention],
        );
        await client.query("commit");
        for (const o of old) await rm(o.file, { force: true });
        pruned += old.length;
        made.push({ customer: id, file, verified: error === null, error });
      }
      return { skipped: false, made, pruned };
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      await client.query("select pg_advisory_unlock(hashtext($1))", [LOCK]);
    }
  });
}
