// Scheduled backups (issue #15): each customer due one gets a verified archive, a customer
// backed up recently is not due, the newest BACKUP_RETENTION stay (files and rows), and a
// second console's run skips while one holds the lock.
import { access, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generateSample } from "@/db/sample/generate";
import { freshTestDatabase, insertCustomers } from "@/db/test/fixture";
import { runAdoption } from "../adoption/run";
import { generateCustomerId } from "../customers/ids";
import { runDueBackups, type BackupSettings } from "./backups";

const db = freshTestDatabase();
const url = () => db.database.ownerUrl;
let settings: BackupSettings;
let customers: string[];
const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  await generateSample(url(), { rows: 2_000 });
  const adopted = await runAdoption(url(), { schema: "app" });
  if (!adopted.ok) throw new Error(adopted.instructions);
  await insertCustomers(db.owner, [generateCustomerId()]);
  const { rows } = await db.owner.query<{ id: string }>(
    "select id from control.customers order by id",
  );
  customers = rows.map((r) => r.id);
  settings = {
    dir: await mkdtemp(path.join(tmpdir(), "tenantry-backups-test-")),
    retention: 2,
    everyHours: 24,
  };
}, 60_000);

describe("scheduled backups", () => {
  it("backs up every customer due one, verified, and not again while the newest is recent", async () => {
    const first = await runDueBackups(url(), settings);
    expect(first.made.map((m) => m.customer).sort()).toEqual(customers);
    expect(first.made.every((m) => m.verified)).toBe(true);
    for (const m of first.made) expect(await exists(m.file)).toBe(true);
    const { rows } = await db.owner.query(
      "select tenant_id, verified, rows::int as rows from control.backups where tenant_id = 'LEGACY001'",
    );
    expect(rows).toEqual([{ tenant_id: "LEGACY001", verified: true, rows: expect.any(Number) }]);
    expect(Number(rows[0].rows)).toBeGreaterThan(2_000);
    expect((await runDueBackups(url(), settings)).made).toEqual([]);
  });

  it("keeps the newest BACKUP_RETENTION of each customer, files and rows", async () => {
    const always = { ...settings, everyHours: 0 };
    const second = await runDueBackups(url(), always);
    const third = await runDueBackups(url(), always);
    expect(third.pruned).toBe(customers.length);
    const { rows } = await db.owner.query<{ n: number }>(
      "select count(*)::int as n from control.backups where tenant_id = 'LEGACY001'",
    );
    expect(rows[0].n).toBe(2);
    const kept = [...second.made, ...third.made].filter((m) => m.customer === "LEGACY001");
    for (const m of kept) expect(await exists(m.file)).toBe(true);
    const { rows: files } = await db.owner.query<{ file: string }>(
      "select file from control.backups where tenant_id = 'LEGACY001'",
    );
    expect(files.map((f) => f.file).sort()).toEqual(kept.map((m) => m.file).sort());
  });

  it("skips while another console holds the lock", async () => {
    const holder = await db.owner.connect();
    try {
      await holder.query("select pg_advisory_lock(hashtext('tenantry.backups'))");
      expect(await runDueBackups(url(), { ...settings, everyHours: 0 })).toEqual({
        skipped: true,
        made: [],
        pruned: 0,
      });
    } finally {
      await holder.query("select pg_advisory_unlock_all()");
      holder.release();
    }
  });
});
