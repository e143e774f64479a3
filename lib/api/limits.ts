// The API's rate limits and monthly calls (docs/architecture.md §14), kept in PostgreSQL so they
// hold across every app instance. Each customer has a bucket, and each caller (key or user)
// one, refilled at the plan's `rate_limit_per_minute` a minute, up to that many; calls a month
// are counted against the plan's limit (with the customer's overrides) plus its soft margin.
//
// An instance takes its tokens a lease at a time (control.take_calls, migration 0054): one
// statement asks for up to as many tokens as the caller's calls here have lately needed, at most
// LEASE_MS's worth of the plan's rate, and lets that many calls through without asking again
// until the lease runs out or LEASE_MS passes. The same statement counts the calls the last lease
// let through, asks whether the caller's key is still live (not revoked, not expired, its customer
// not blocked) and notes its last use at most once a minute. So:
// - the buckets are debited before a call goes through, whatever the instance: all instances
//   together never let more through than the limit; a lease's unused tokens are lost, never lent;
// - at 60 a minute a lease is one token: every call asks, as before leases;
// - a key revoked, or a customer suspended or moved to another plan, ends the leases it touches
//   on every instance when the change commits (a notification, db/listen.ts; the instance that
//   revoked a key ends its leases itself too, before it answers); while an instance cannot
//   listen, every call there asks;
// - the month's count lags by the calls of the last lease, counted at the next statement or by
//   the flush within LEASE_MS; a crash loses those, which is no one's loss.
import "server-only";
import { sql } from "drizzle-orm";
import { listen } from "@/db/listen";
import { withSystem } from "@/db/tenant";
import { BLOCKED_STATUSES } from "@/lib/customers/lifecycle";

/** A platform token's limit a minute (it has no plan). */
export const PLATFORM_RATE_PER_MINUTE = 600;

/** `last_used_at` is written at most this often per key. */
export const LAST_USED_EVERY_MS = 60_000;

/** How long a lease lives, and how much of the plan's rate one may hold. */
export const LEASE_MS = 200;

export type Allowance =
  | { ok: true; limit: number; remaining: number; resetSeconds: number }
  | { ok: false; reason: "rate"; limit: number; retryAfterSeconds: number }
  | { ok: false; reason: "quota"; used: number; limit: number; retryAfterSeconds: number }
  | { ok: false; reason: "key"; refused: "unknown" | "revoked" | "expired" | "customer-inactive" };

/** The calendar month (UTC) calls are counted in, and the seconds until the next. */
export function monthOf(now: Date) {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return {
    month: now.toISOString().slice(0, 7),
    secondsLeft: Math.ceil((next - now.getTime()) / 1000),
  };
}

/** One caller's lease on this instance. */
interface Lease {
  tenantId: string | null;
  caller: string;
  keyId: string | null;
  /** The month its calls are counted in. */
  month: string;
  /** Calls it may still let through, until `until` (ms since the epoch). */
  tokens: number;
  until: number;
  /** Calls let through and not yet counted. */
  served: number;
  /** What the last statement granted: with what is left of it, how many the next one asks for. */
  granted: number;
  /** Calls waiting for the statement in flight. */
  waiting: number;
  /** The statement in flight: a refusal for every call that waited on it, or null. */
  asking: Promise<Allowance | null> | null;
  /** The bucket as the last statement left it, for the headers. */
  capacity: number;
  perSecond: number;
  left: number;
}

// One registry per process: Next bundles this module more than once.
const registry = globalThis as unknown as {
  tenantryLeases?: Map<string, Lease>;
  tenantryLeaseAsks?: Set<Promise<unknown>>;
  tenantryLeaseStatements?: number;
  tenantryLeaseFlush?: NodeJS.Timeout;
  tenantryLeaseListening?: () => boolean;
};
const leases = (registry.tenantryLeases ??= new Map<string, Lease>());
/** The statements in flight, which a full flush waits for. */
const asking = (registry.tenantryLeaseAsks ??= new Set<Promise<unknown>>());

/** Statements the limiter has sent in this process (tests and benches). */
export function limiterStatements(): number {
  return registry.tenantryLeaseStatements ?? 0;
}

/**
 * Takes one call for `tenantId` (null: a platform token) and the caller (`key:<id>` or
 * `user:<id>`): allowed with the headers' figures, or refused for the rate, the month or the key.
 */
export async function takeCall(
  tenantId: string | null,
  caller: string,
  options: { keyId?: string; now?: Date } = {},
): Promise<Allowance> {
  const now = options.now ?? new Date();
  const keyId = options.keyId ?? null;
  const { month, secondsLeft } = monthOf(now);
  const id = `${tenantId ?? ""} ${caller} ${keyId ?? ""}`;
  let lease = leases.get(id);
  if (!lease) {
    lease = {
      tenantId,
      caller,
      keyId,
      month,
      tokens: 0,
      until: 0,
      served: 0,
      granted: 0,
      waiting: 0,
      asking: null,
      capacity: 0,
      perSecond: 0,
      left: 0,
    };
    leases.set(id, lease);
  }
  startFlushing();
  for (;;) {
    if (lease.tokens >= 1 && lease.until > Date.now() && lease.month === month) {
      lease.tokens -= 1;
      lease.served += 1;
      const remaining = Math.max(0, Math.floor(lease.left + lease.tokens));
      return {
        ok: true,
        limit: lease.capacity,
        remaining,
        resetSeconds: Math.ceil((lease.capacity - remaining) / lease.perSecond),
      };
    }
    if (lease.asking) {
      lease.waiting += 1;
      const refusal = await lease.asking.finally(() => (lease.waiting -= 1));
      if (refusal) return refusal;
      continue;
    }
    // Calls of a month gone by are counted in it before this one asks.
    if (lease.month !== month) {
      if (lease.served) await ask(lease, 0);
      Object.assign(lease, { month, tokens: 0, until: 0 });
    }
    // As many as the calls here lately needed: twice the last lease when it was used up, what
    // was used of it otherwise, and at least one for each call waiting now.
    const cap =
      lease.perSecond && listening()
        ? Math.max(1, Math.floor((lease.perSecond * LEASE_MS) / 1000))
        : 1;
    const used = lease.granted - lease.tokens;
    const want = Math.min(
      cap,
      Math.max(lease.waiting + 1, used >= lease.granted ? 2 * used : used),
    );
    lease.asking = ask(lease, want, secondsLeft);
    try {
      const refusal = await lease.asking;
      if (refusal) return refusal;
    } finally {
      lease.asking = null;
    }
  }
}

/**
 * One statement for `lease`: counts what it let through, and takes up to `want` tokens (none:
 * only counts). Resolves with the refusal, if any; a grant is the lease's.
 */
function ask(lease: Lease, want: number, secondsLeft = 0): Promise<Allowance | null> {
  const sent = asked(lease, want, secondsLeft);
  asking.add(sent);
  return sent.finally(() => asking.delete(sent));
}

async function asked(lease: Lease, want: number, secondsLeft: number): Promise<Allowance | null> {
  const served = lease.served;
  lease.served = 0;
  registry.tenantryLeaseStatements = limiterStatements() + 1;
  const buckets = lease.tenantId ? [`customer:${lease.tenantId}`, lease.caller] : [lease.caller];
  let rows;
  try {
    ({ rows } = await withSystem(
      "rate-limit",
      (tx) =>
        tx.execute<{
          key_refused: "unknown" | "revoked" | "expired" | "customer-inactive" | null;
          used: string | null;
          monthly: string | null;
          granted: number;
          tokens: number | null;
          capacity: number | null;
          per_second: number | null;
        }>(
          sql`select key_refused, used, monthly, granted, tokens, capacity, per_second
                from control.take_calls(${lease.tenantId}::text, ${JSON.stringify(buckets)}::jsonb,
                  ${lease.month}, ${PLATFORM_RATE_PER_MINUTE}, ${lease.keyId}::uuid,
                  ${JSON.stringify(BLOCKED_STATUSES)}::jsonb,
                  make_interval(secs => ${LAST_USED_EVERY_MS / 1000}), ${want}::int, ${served}::int)`,
        ),
      { oneStatement: true },
    ));
  } catch (error) {
    lease.served += served;
    throw error;
  }
  if (want === 0) return null;
  const row = rows[0];
  lease.granted = 0;
  if (row.key_refused) return { ok: false, reason: "key", refused: row.key_refused };
  if (row.tokens === null || row.capacity === null || row.per_second === null) {
    // No plan (an unknown customer) or the month used up: nothing was taken.
    return {
      ok: false,
      reason: "quota",
      used: Number(row.used ?? 0),
      limit: Number(row.monthly ?? 0),
      retryAfterSeconds: secondsLeft,
    };
  }
  Object.assign(lease, {
    capacity: row.capacity,
    perSecond: row.per_second,
    left: row.tokens,
    tokens: row.granted,
    granted: row.granted,
    until: Date.now() + LEASE_MS,
  });
  if (row.granted < 1)
    return {
      ok: false,
      reason: "rate",
      limit: row.capacity,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - row.tokens) / row.per_second)),
    };
  return null;
}

/** Ends the leases of a key, of a customer, or all, on this instance: their next call asks. */
export function forgetLeases(which: { keyId?: string; tenantId?: string } | "all"): void {
  for (const lease of leases.values())
    if (
      which === "all" ||
      (which.keyId && lease.keyId === which.keyId) ||
      (which.tenantId && lease.tenantId === which.tenantId)
    )
      Object.assign(lease, { tokens: 0, until: 0 });
}

/** What the database says ends leases (migration 0056): `key:<id>`, `customer:<id>` or `all`. */
function onNotice(payload: string): void {
  const [kind, id] = payload.split(":", 2);
  if (kind === "key") forgetLeases({ keyId: id });
  else if (kind === "customer") forgetLeases({ tenantId: id });
  else forgetLeases("all");
}

/** Whether this instance hears the notices: leases of more than one token only then. */
export function listening(): boolean {
  return registry.tenantryLeaseListening?.() ?? false;
}

/**
 * Counts what leases let through: those that ran out (the flush, every LEASE_MS), or all of them
 * once every statement in flight is done (`all`: tests, and fingerprints of the data). Forgets
 * leases idle for a minute.
 */
export async function flushLeases(options: { all?: boolean } = {}): Promise<void> {
  // All: what statements in flight count first, so nothing let through is left uncounted after.
  if (options.all) await Promise.allSettled([...asking]);
  const now = Date.now();
  for (const [id, lease] of leases) {
    if (lease.asking) continue;
    if (lease.served && (options.all || lease.until <= now)) await ask(lease, 0);
    else if (!lease.served && lease.until < now - 60_000) leases.delete(id);
  }
}

function startFlushing(): void {
  if (registry.tenantryLeaseFlush) return;
  registry.tenantryLeaseListening = listen("tenantry_leases", onNotice);
  registry.tenantryLeaseFlush = setInterval(
    () =>
      void flushLeases().catch((error: Error) => console.error("limiter flush:", error.message)),
    LEASE_MS,
  );
  registry.tenantryLeaseFlush.unref();
}
