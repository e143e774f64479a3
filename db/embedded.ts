// The embedded PostgreSQL (DESIGN §9): PGlite served over the wire by pglite-socket, in its
// own process, data under .data/. Started by db/start.ts; tells its parent when it listens.
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

const dataDir = process.env.TENANTRY_DATA_DIR ?? ".data/pglite";
const port = Number(process.env.EMBEDDED_PG_PORT ?? 54329);

mkdirSync(dataDir, { recursive: true });
const db = await PGlite.create(dataDir);
// The app keeps one connection; a few more leave room for psql while it runs.
const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections: 4 });
await server.start();
process.send?.({ ready: true, port });

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop();
  await db.close();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
process.on("disconnect", stop);
