// The second factor's parts that need no database (docs/architecture.md §16): TOTP (RFC 6238)
// with otplib — well kept, audited crypto, and the replay guard (`afterTimeStep`) built in —
// secrets sealed with AES-256-GCM under TOTP_ENCRYPTION_KEY, and one-time recovery codes, of
// which only SHA-256 is kept (ten random 50-bit codes need no slow hash).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomInt } from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import QRCode from "qrcode";
import { hashToken } from "./tokens";

export const ISSUER = "Tenantry";
/** A code from the step before or after the server's clock is accepted (clock drift). */
export const TOLERANCE_SECONDS = 30;
export const RECOVERY_CODES = 10;

export class TwoFactorKeyError extends Error {}

/** The sealing key, derived from TOTP_ENCRYPTION_KEY; refuses without one (or a short one). */
function sealingKey(): Buffer {
  const configured = process.env.TOTP_ENCRYPTION_KEY ?? "";
  if (configured.length < 32)
    throw new TwoFactorKeyError(
      "Two-factor needs TOTP_ENCRYPTION_KEY on the server: at least 32 characters, e.g. from `openssl rand -base64 32`.",
    );
  return Buffer.from(hkdfSync("sha256", configured, "tenantry", "totp-secrets", 32));
}

export function hasSealingKey(): boolean {
  return (process.env.TOTP_ENCRYPTION_KEY ?? "").length >= 32;
}

/** `v1.<iv>.<tag>.<ciphertext>`, base64url. */
export function sealSecret(secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(), iv);
  const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), sealed].map((p) => p.toString("base64url")).join(".");
}

export function openSecret(sealed: string): string {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || !data) throw new TwoFactorKeyError("Not a sealed secret.");
  const decipher = createDecipheriv("aes-256-gcm", sealingKey(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([
      decipher.update(Buffer.from(data, "base64url")),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    throw new TwoFactorKeyError(
      "TOTP_ENCRYPTION_KEY does not open the stored two-factor secrets: it is not the key they were sealed with.",
    );
  }
}

export function newTotpSecret(): string {
  return generateSecret();
}

/** What an authenticator app scans: the otpauth URI, and it as a QR code (a PNG data URL). */
export async function enrolmentCode(
  email: string,
  secret: string,
): Promise<{ uri: string; qr: string }> {
  const uri = generateURI({ issuer: ISSUER, label: email, secret });
  return { uri, qr: await QRCode.toDataURL(uri, { margin: 1, width: 192 }) };
}

/** Six digits, spaces allowed: what an authenticator app shows. */
export const TOTP_CODE = /^\d{6}$/;

/**
 * The time step `code` belongs to, when it is right for `secret` now (± one step) and later than
 * `afterStep` (a code once accepted never works again); else null.
 */
export async function totpStep(
  secret: string,
  code: string,
  afterStep: number | null,
): Promise<number | null> {
  if (!TOTP_CODE.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterStep !== null ? { afterTimeStep: afterStep } : {}),
  });
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** Ten codes like `k7m2p-x9q4r`, shown once; only their hashes are stored. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODES }, () => {
    const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(31)]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
  return { codes, hashes: codes.map(recoveryCodeHash) };
}

/** A recovery code's hash, whatever its case and spacing. */
export function recoveryCodeHash(code: string): string {
  return hashToken(code.trim().toLowerCase().replace(/[\s-]/g, ""));
}

export const RECOVERY_CODE = /^[a-z0-9]{5}-?[a-z0-9]{5}$/i;
