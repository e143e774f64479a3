// Secrets handed out once — invitation links, API keys: 256 random bits, and their SHA-256,
// which is all that is stored (a secret that size needs no slow hash).
import { createHash, randomBytes } from "node:crypto";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function newToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashToken(token) };
}
