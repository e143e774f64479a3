// Per test file: a fresh copy of the migrated template, the app pool pointed at it, and an
// owner client for arranging data the app itself could never write.
import { randomBytes } from "node:crypto";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { createPool, setAppPool } from "../client";
import { createDatabase, type TestDatabase } from "./databases";

export interface DatabaseFixture {
  database: TestDatabase;
  owner: pg.Pool;
  app: pg.Pool;
}

export function freshTestDatabase(options: { poolSize?: number } = {}): DatabaseFixture {
  const fixture = {} as DatabaseFixture;
  beforeAll(async () => {
    const name = `${inject("runPrefix")}_${randomBytes(4).toString("hex")}`;
    fixture.database = await createDatabase(name, inject("templateDatabase"));
    fixture.owner = new pg.Pool({ connectionString: fixture.database.ownerUrl, max: 2 });
    fixture.app = createPool(fixture.database.appUrl, { max: options.poolSize ?? 10 });
    setAppPool(fixture.app);
  });
  afterAll(async () => {
    setAppPool(undefined);
    await fixture.app?.end();
    await fixture.owner?.end();
  });
  return fixture;
}

/** Inserts customers as the owner (bypassing the app) and returns their IDs. */
export async function insertCustomers(owner: pg.Pool, ids: string[]): Promise<string[]> {
  for (const id of ids) {
    await owner.query(
      "insert into control.customers (id, name, contact_email, status) values ($1, $2, $3, 'active')",
      [id, `Customer ${id}`, `admin@${id.toLowerCase()}.example`],
    );
  }
  return ids;
}

/**
 * Inserts a console user as the owner and returns its ID: a member of `tenantId` with `role`,
 * or a super-admin when `tenantId` is null.
 */
export async function insertUser(
  owner: pg.Pool,
  user: {
    email: string;
    tenantId: string | null;
    role?: "admin" | "member";
    passwordHash?: string;
    /** A second factor on (a sealed secret, `secret`, when the test computes codes from it). */
    twoFactor?: { sealed: string } | true;
  },
): Promise<string> {
  const { rows } = await owner.query<{ id: string }>(
    "insert into control.users (email, display_name, password_hash, platform_role) values ($1, $1, $2, $3) returning id",
    [user.email, user.passwordHash ?? null, user.tenantId ? null : "super_admin"],
  );
  if (user.tenantId) {
    await owner.query(
      "insert into control.memberships (tenant_id, user_id, role) values ($1, $2, $3)",
      [user.tenantId, rows[0].id, user.role ?? "member"],
    );
  }
  if (user.twoFactor) {
    await owner.query(
      "insert into control.two_factor (user_id, secret, enabled_at) values ($1, $2, now())",
      [rows[0].id, user.twoFactor === true ? "not-a-sealed-secret" : user.twoFactor.sealed],
    );
  }
  return rows[0].id;
}

/**
 * Runs `fn` on a drizzle transaction-less client of the owner's pool: for arranging what only a
 * super-admin's door would write (a platform token, an acknowledgement) without a request.
 */
export async function withOwnerDrizzle<T>(owner: pg.Pool, fn: (tx: NodePgDatabase) => Promise<T>) {
  const client = await owner.connect();
  try {
    return await fn(drizzle(client));
  } finally {
    client.release();
  }
}

/** What a refused statement said (the driver's error under drizzle's), or "allowed". */
export const refusal = (work: Promise<unknown>): Promise<string> =>
  work.then(
    () => "allowed",
    (e: Error) => ((e.cause as Error | undefined) ?? e).message,
  );

/**
 * A customer's usage figures as of snapshot run `runId`, read as the owner: its latest row at or
 * before the run (a run writes only the customers whose figures changed); {} when it has none.
 */
export async function figuresAsOf(
  owner: pg.Pool,
  runId: string,
  tenantId: string,
): Promise<Record<string, number>> {
  const { rows } = await owner.query<{ figures: Record<string, number> }>(
    `select control.usage_document(s.figures) as figures from control.usage_snapshots s
      where s.tenant_id = $2 and s.taken_at <= (select started_at from control.usage_runs where id = $1)
      order by s.taken_at desc limit 1`,
    [runId, tenantId],
  );
  return rows[0]?.figures ?? {};
}
