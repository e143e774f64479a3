import "server-only";
import { headers } from "next/headers";

/** The absolute link an invitee opens: NEXTAUTH_URL when set, else the request's own host. */
export async function inviteLink(token: string): Promise<string> {
  const h = await headers();
  const base =
    process.env.NEXTAUTH_URL ?? `${h.get("x-forwarded-proto") ?? "http"}://${h.get("host")}`;
  return new URL(`/invite/${token}`, base).toString();
}
