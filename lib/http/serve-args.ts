// How the console's HTTP server (serve.ts) is started: by npm start, the e2e run and the benches.
import path from "node:path";

/**
 * Node's arguments for the console's server. A young generation of 64 MB per semi-space (V8's
 * default is 16 MB): rendering a page allocates a few megabytes that die young, and with the
 * default the scavenger ran so often that garbage collection was 12 % of the server's CPU under
 * load. The usage page at 20 concurrent (issue #19), three runs each, alternating: p50 120–149 → 114–131 ms.
 * It costs at most about 100 MB more of memory, only when that much is allocated between two
 * collections.
 */
export const SERVE_ARGS = [
  "--max-semi-space-size=64",
  "--import",
  "tsx",
  path.resolve(import.meta.dirname, "serve.ts"),
];

/**
 * Why the console cannot listen on `port` (an errno code such as EADDRINUSE), in a sentence: npm
 * start's check before anything starts and the server's own listen say the same.
 */
export function cannotListenOn(port: number, code: string): string {
  return code === "EADDRINUSE"
    ? `The console cannot listen on port ${port}: it is taken (another console?). Stop what holds it, or start with another PORT.`
    : `The console cannot listen on port ${port} (${code}): start with another PORT.`;
}
