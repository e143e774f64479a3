// Which address a request came from, for sign-in throttling and the audit log. Every entry of
// X-Forwarded-For but the ones our own proxies appended is whatever the client chose to send,
// so the address is read from the right: the console's server (lib/http/serve.ts) appends the
// socket's peer, and each trusted proxy in front of it appended the peer it saw.
//   TRUSTED_PROXY_HOPS=N        N proxies in front of the console (default 0: none)
//   TRUSTED_PROXY_CIDRS=a,b     or: skip entries inside these ranges, whatever their number
import { BlockList, isIP } from "node:net";
import { z } from "zod";

export interface ProxyTrust {
  hops: number;
  cidrs: BlockList | null;
}

const cidr = z
  .string()
  .trim()
  .regex(/^[0-9a-f:.]+\/\d{1,3}$/i, "a CIDR range such as 10.0.0.0/8");

const trustSchema = z.object({
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  TRUSTED_PROXY_CIDRS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(cidr)),
});

export function readProxyTrust(env: Record<string, string | undefined> = process.env): ProxyTrust {
  const parsed = trustSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `Invalid proxy settings: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  const { TRUSTED_PROXY_HOPS: hops, TRUSTED_PROXY_CIDRS: ranges } = parsed.data;
  if (ranges.length === 0) return { hops, cidrs: null };
  const cidrs = new BlockList();
  for (const range of ranges) {
    const [address, prefix] = range.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    cidrs.addSubnet(normalizeAddress(address), Number(prefix), family);
  }
  return { hops, cidrs };
}

/** `::ffff:10.0.0.1` (IPv4 seen by a dual-stack socket) as `10.0.0.1`; anything else as given. */
function normalizeAddress(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1");
}

function inRanges(address: string, cidrs: BlockList): boolean {
  const family = isIP(address);
  return family !== 0 && cidrs.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** The client's address from the X-Forwarded-For header as the console's server left it; null if none. */
export function clientIp(
  forwardedFor: string | null | undefined,
  trust: ProxyTrust,
): string | null {
  const chain = (forwardedFor ?? "")
    .split(",")
    .map((entry) => normalizeAddress(entry.trim()))
    .filter(Boolean);
  if (chain.length === 0) return null;
  let index = chain.length - 1 - trust.hops;
  if (trust.cidrs) {
    index = chain.length - 1;
    while (index > 0 && inRanges(chain[index], trust.cidrs)) index--;
  }
  const address = chain[Math.max(0, index)];
  return isIP(address) ? address : null;
}

let trust: ProxyTrust | undefined;

/** The client's address of a request to this server, by the operator's proxy settings. */
export function requestIp(forwardedFor: string | null | undefined): string | null {
  trust ??= readProxyTrust();
  return clientIp(forwardedFor, trust);
}
