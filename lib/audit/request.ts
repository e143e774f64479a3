import "server-only";
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { requestIp } from "@/lib/http/client-ip";
import { capText, LIMITS } from "./record";

/** Where a request came from, for the audit log; client-sent texts capped here at the source. */
export async function requestMeta(): Promise<{
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}> {
  const h = await headers();
  return {
    ip: requestIp(h.get("x-forwarded-for")),
    userAgent: capText(h.get("user-agent"), LIMITS.userAgent),
    requestId: capText(h.get("x-request-id"), LIMITS.requestId) || randomUUID(),
  };
}
