import "server-only";
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";

/** Where a request came from, for the audit log. */
export async function requestMeta(): Promise<{ ip: string | null; userAgent: string | null; requestId: string }> {
  const h = await headers();
  return {
    ip: h.get("x-forwarded-for")?.split(",")[0]?.trim() || null,
    userAgent: h.get("user-agent"),
    requestId: h.get("x-request-id") ?? randomUUID(),
  };
}
