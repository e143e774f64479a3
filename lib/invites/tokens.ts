import { hashToken, newToken } from "@/lib/auth/tokens";

/** Only the hash is stored: a leaked table holds no usable invitation. */
export const hashInviteToken = hashToken;

export function newInviteToken(): { token: string; tokenHash: string } {
  return newToken();
}
