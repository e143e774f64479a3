// API keys (docs/architecture.md §14). A key is `tnt_<12 characters>_<43 characters>`: the first
// part, its prefix, is its public handle (listed, logged); the second is a 256-bit random secret,
// shown once and kept only as its SHA-256 — a secret that size needs no slow hash. A customer's
// key acts as that customer within its scopes; a platform token (no customer) reads the
// platform's status API. Revoked, expired, or of a customer that may not use the console: refused.
// What never changes of a key (its hash, customer, scopes) is kept in memory for a few minutes;
// whether it is still live is asked at every call, in the rate limit's statement (limits.ts).
import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { apiKeys, customers } from "@/db/schema";
import { withSystem, type Tx } from "@/db/tenant";
import type { Scope } from "@/lib/auth/permissions";
import { isBlocked } from "@/lib/customers/lifecycle";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const KEY = /^(tnt_[a-z2-7]{12})_([A-Za-z0-9_-]{43})$/;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A new key: the whole (shown once), its prefix, and the hash that is stored. */
export function newKey(): { key: string; prefix: string; secretHash: string } {
  const prefix = `tnt_${[...randomBytes(12)].map((b) => BASE32[b & 31]).join("")}`;
  const secret = randomBytes(32).toString("base64url");
  return { key: `${prefix}_${secret}`, prefix, secretHash: sha256(secret) };
}

/** A key as the API sees it once authenticated. */
export interface KeyPrincipal {
  id: string;
  prefix: string;
  name: string;
  /** The customer it acts as; null for a platform token. */
  tenantId: string | null;
  scopes: Scope[];
}

export type KeyCheck =
  | { ok: true; key: KeyPrincipal }
  | { ok: false; reason: "malformed" | "unknown" | "revoked" | "expired" | "customer-inactive" };

/** Writes `last_used_at` at most this often per key, so a busy key is not a write per request. */
export const LAST_USED_EVERY_MS = 60_000;

/** Keys seen lately, by prefix: what never changes of them. */
const known = new Map<string, { key: KeyPrincipal; secretHash: string; at: number }>();
const KNOWN_FOR_MS = 5 * 60_000;
const KNOWN_AT_MOST = 10_000;

/**
 * The key a request presents, checked: the secret (in constant time), and — when it is not
 * known here yet — revocation, expiry and its customer (every call asks again through
 * `takeCall`, which refuses a key that is no longer live).
 */
export async function authenticateKey(token: string, now = new Date()): Promise<KeyCheck> {
  const m = KEY.exec(token);
  if (!m) return { ok: false, reason: "malformed" };
  const [, prefix, secret] = m;
  const presented = Buffer.from(sha256(secret), "hex");
  const seen = known.get(prefix);
  if (seen && now.getTime() - seen.at < KNOWN_FOR_MS)
    return timingSafeEqual(presented, Buffer.from(seen.secretHash, "hex"))
      ? { ok: true, key: seen.key }
      : { ok: false, reason: "unknown" };
  return withSystem("api-key", async (tx) => {
    const [row] = await tx
      .select({
        id: apiKeys.id,
        name: apiKeys.name,
        tenantId: apiKeys.tenantId,
        scopes: apiKeys.scopes,
        secretHash: apiKeys.secretHash,
        expiresAt: apiKeys.expiresAt,
        revokedAt: apiKeys.revokedAt,
        lastUsedAt: apiKeys.lastUsedAt,
        customerStatus: customers.status,
      })
      .from(apiKeys)
      .leftJoin(customers, eq(customers.id, apiKeys.tenantId))
      .where(eq(apiKeys.prefix, prefix));
    if (!row || !timingSafeEqual(presented, Buffer.from(row.secretHash, "hex")))
      return { ok: false, reason: "unknown" };
    if (row.revokedAt) return { ok: false, reason: "revoked" };
    if (row.expiresAt && row.expiresAt <= now) return { ok: false, reason: "expired" };
    if (row.tenantId && (!row.customerStatus || isBlocked(row.customerStatus)))
      return { ok: false, reason: "customer-inactive" };
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_EVERY_MS)
      await tx.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id));
    const key: KeyPrincipal = {
      id: row.id,
      prefix,
      name: row.name,
      tenantId: row.tenantId,
      scopes: row.scopes as Scope[],
    };
    if (known.size >= KNOWN_AT_MOST) known.delete(known.keys().next().value!);
    known.set(prefix, { key, secretHash: row.secretHash, at: now.getTime() });
    return { ok: true, key };
  });
}

export interface NewKeyInput {
  name: string;
  scopes: Scope[];
  /** Days until it expires; none: it does not. */
  expiresInDays?: number;
}

/**
 * Creates a key for `tenantId` (null: a platform token) through the caller's transaction (the
 * tenant door for a customer's own, the platform door otherwise). Returns the key, once.
 */
export async function createKey(
  tx: Tx,
  tenantId: string | null,
  input: NewKeyInput,
  createdBy: string,
) {
  const made = newKey();
  const [row] = await tx
    .insert(apiKeys)
    .values({
      tenantId,
      name: input.name,
      prefix: made.prefix,
      secretHash: made.secretHash,
      scopes: tenantId ? input.scopes : ["platform:read"],
      expiresAt: input.expiresInDays
        ? new Date(Date.now() + input.expiresInDays * 86_400_000)
        : null,
      createdBy,
    })
    .returning({ id: apiKeys.id, prefix: apiKeys.prefix });
  return { ...row, key: made.key };
}

/** Revokes a key of `tenantId` (null: a platform token); false when there is no such live key. */
export async function revokeKey(tx: Tx, tenantId: string | null, id: string, by: string) {
  const revoked = await tx
    .update(apiKeys)
    .set({ revokedAt: new Date(), revokedBy: by })
    .where(
      and(
        eq(apiKeys.id, id),
        tenantId ? eq(apiKeys.tenantId, tenantId) : isNull(apiKeys.tenantId),
        isNull(apiKeys.revokedAt),
      ),
    )
    .returning({ prefix: apiKeys.prefix });
  return revoked[0] ?? null;
}

/** A customer's keys (null: the platform tokens), newest first; never a secret or its hash. */
export function listKeys(tx: Tx, tenantId: string | null) {
  return tx
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      expiresAt: apiKeys.expiresAt,
      lastUsedAt: apiKeys.lastUsedAt,
      createdBy: apiKeys.createdBy,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
      live: sql<boolean>`${apiKeys.revokedAt} is null and (${apiKeys.expiresAt} is null or ${apiKeys.expiresAt} > now())`,
    })
    .from(apiKeys)
    .where(tenantId ? eq(apiKeys.tenantId, tenantId) : isNull(apiKeys.tenantId))
    .orderBy(desc(apiKeys.createdAt))
    .limit(100);
}

export type ApiKeyView = Awaited<ReturnType<typeof listKeys>>[number];
