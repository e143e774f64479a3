import "server-only";
import { headers } from "next/headers";

/** An absolute link into the console: NEXTAUTH_URL when set, else the request's own host. */
export async function consoleLink(path: string): Promise<string> {
  const h = await headers();
  const base =
    process.env.NEXTAUTH_URL ?? `${h.get("x-forwarded-proto") ?? "http"}://${h.get("host")}`;
  return new URL(path, base).toString();
}
