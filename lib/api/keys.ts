// API keys (docs/architecture.md §14). A key is `tnt_<12 characters>_<43 characters>`: the first
// part, its prefix, is its public handle (listed, logged); the second is a 256-bit random secret,
// shown once and kept only as its SHA-256 — a secret that size needs no slow hash. A customer's
// key acts as that customer within its scopes; a platform token (no customer) reads the
// platform's status API. Revoked, expired, or of a customer that may not use the console: refused.
// What never changes of a key (its hash, customer, scopes) is kept in memory for a few minutes;
// whether it is still live is asked at every call, in the limiter's statement (limits.ts).
import "server-only";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { apiKeys } from "@/db/schema";
import { afterCommit, withSystem, type Tx } from "@/db/tenant";
import type { Scope } from "@/lib/auth/permissions";
import { hashToken, newToken } from "@/lib/auth/tokens";
import { forgetLeases } from "./limits";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const KEY = /^(tnt_[a-z2-7]{12})_([A-Za-z0-9_-]{43})$/;

/** A new key: the whole (shown once), its prefix, and the hash that is stored. */
export function newKey(): { key: string; prefix: string; secretHash: string } {
  const prefix = `tnt_${[...randomBytes(12)].map((b) => BASE32[b & 31]).join("")}`;
  const { token, tokenHash } = newToken();
  return { key: `${prefix}_${token}`, prefix, secretHash: tokenHash };
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
  { ok: true; key: KeyPrincipal } | { ok: false; reason: "malformed" | "unknown" };

/** Keys seen lately, by prefix: what never changes of them. */
const known = new Map<string, { key: KeyPrincipal; secretHash: string; at: number }>();
const KNOWN_FOR_MS = 5 * 60_000;
const KNOWN_AT_MOST = 10_000;

/**
 * The key a request presents: its secret checked (in constant time) against the stored hash.
 * Whether it is still live — not revoked, not expired, its customer not blocked — the limiter
 * asks with every lease it takes (`takeCall`), and a revocation here ends the key's leases.
 */
export async function authenticateKey(token: string, now = new Date()): Promise<KeyCheck> {
  const m = KEY.exec(token);
  if (!m) return { ok: false, reason: "malformed" };
  const [, prefix, secret] = m;
  let seen = known.get(prefix);
  if (!seen || now.getTime() - seen.at >= KNOWN_FOR_MS) {
    const [row] = await withSystem("api-key", (tx) =>
      tx
        .select({
          id: apiKeys.id,
          name: apiKeys.name,
          tenantId: apiKeys.tenantId,
          scopes: apiKeys.scopes,
          secretHash: apiKeys.secretHash,
        })
        .from(apiKeys)
        .where(eq(apiKeys.prefix, prefix)),
    );
    if (!row) return { ok: false, reason: "unknown" };
    seen = {
      key: {
        id: row.id,
        prefix,
        name: row.name,
        tenantId: row.tenantId,
        scopes: row.scopes as Scope[],
      },
      secretHash: row.secretHash,
      at: now.getTime(),
    };
    if (known.size >= KNOWN_AT_MOST) known.delete(known.keys().next().value!);
    known.set(prefix, seen);
  }
  const presented = Buffer.from(hashToken(secret), "hex");
  return timingSafeEqual(presented, Buffer.from(seen.secretHash, "hex"))
    ? { ok: true, key: seen.key }
    : { ok: false, reason: "unknown" };
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
  // The key's leases here end with the commit, before the answer; elsewhere by the notice the
  // update sends (migration 0056).
  if (revoked[0]) afterCommit(tx, async () => forgetLeases({ keyId: id }));
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
