// The console's HTTP server: Next.js's production handler behind a plain Node server, for two
// reasons. First, the socket's peer address: `next start` keeps a client's X-Forwarded-For as
// sent and never adds the peer, so sign-in throttling and the audit log would trust what any
// client forges. Here the peer is appended, as every proxy does, and lib/http/client-ip.ts reads
// the address from the right by the operator's TRUSTED_PROXY_* settings. Second, a failed request
// is answered with a sentence — a 503 while the database is unreachable — instead of Next's bare
// 500 (lib/http/server-errors.ts).
// Run after `next build`: PORT (default 3000), on every interface as `next start` does.
import { createServer } from "node:http";
import path from "node:path";
import next from "next";
import { readProxyTrust } from "./client-ip";
import { cannotListenOn } from "./serve-args";
import { answerServerErrors } from "./server-errors";

// Refuse bad proxy settings now, with a sentence, rather than on the first sign-in.
readProxyTrust();

const started = Date.now();
const port = Number(process.env.PORT ?? 3000);
const app = next({
  dev: false,
  dir: path.resolve(import.meta.dirname, "../.."),
  port,
  hostname: "localhost",
});
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((request, response) => {
  const peer = request.socket.remoteAddress ?? "";
  const sent = request.headers["x-forwarded-for"];
  const prior = Array.isArray(sent) ? sent.join(", ") : sent;
  request.headers["x-forwarded-for"] = prior ? `${prior}, ${peer}` : peer;
  answerServerErrors(request, response);
  void handle(request, response);
});
// A port taken (or not allowed) is said in a sentence, and the process ends: left running, it
// would hold its database connections and never serve.
server.once("error", (error: NodeJS.ErrnoException) => {
  console.error(cannotListenOn(port, error.code ?? error.message));
  process.exit(1);
});
server.listen(port, () =>
  console.log(`  ▲ Tenantry on http://localhost:${port}\n  ✓ Ready in ${Date.now() - started}ms`),
);

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
// Started by `npm start` with an IPC channel: when that process ends, even killed, so does this.
if (process.send) process.on("disconnect", stop);
