// The console's own HTTP server for the benches that send it requests (bench:load, bench:usage):
// built first when there is no build or its sources changed since, started on a bench database
// with the background jobs that would scan or write in the middle of a measurement turned off,
// and browsers' session cookies for its users (a session record and the JWT that names it).
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { encode } from "next-auth/jwt";
import type { Pool } from "../client";
import type { TestDatabase } from "../test/databases";
import { whyBuild } from "../../lib/http/build";
import { SERVE_ARGS } from "../../lib/http/serve-args";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const AUTH_SECRET = "bench-only-secret-not-for-any-real-deployment";
process.env.TOTP_ENCRYPTION_KEY ??= "bench-only-key-of-at-least-thirty-two-characters";

export function ensureBuild(): void {
  const why = whyBuild(ROOT);
  if (!why) return;
  console.log(`next build (${why}) …`);
  if (spawnSync("npx", ["next", "build"], { cwd: ROOT, stdio: "inherit" }).status !== 0)
    process.exit(1);
}

/** A signed-in browser's cookie for `user` (of `tenant`, or a super-admin's with null). */
export async function sessionCookie(
  owner: Pool,
  user: { id: string; email: string },
  tenant: string | null,
): Promise<string> {
  const { rows } = await owner.query<{ id: string }>(
    "insert into control.sessions (user_id, tenant_id, ip, user_agent, two_factor) values ($1, $2, '192.0.2.9', 'bench', $3) returning id",
    [user.id, tenant, tenant === null],
  );
  const jwt = await encode({
    token: { sub: user.id, email: user.email, name: user.email, sid: rows[0].id },
    secret: AUTH_SECRET,
  });
  return `next-auth.session-token=${jwt}`;
}

export interface RunningConsole {
  base: string;
  /** What the server wrote to stderr since the last call. */
  said(): string;
  stop(): Promise<void>;
}

export async function startConsole(database: TestDatabase, port: number): Promise<RunningConsole> {
  // BENCH_PROFILE=dir: the server writes its CPU profile there when it stops.
  const profile = process.env.BENCH_PROFILE
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const server = spawn(process.execPath, [...profile, ...SERVE_ARGS], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: database.ownerUrl,
      APP_DATABASE_URL: database.appUrl,
      AUTH_SECRET,
      NEXTAUTH_URL: `http://localhost:${port}`,
      BACKUP_EVERY_HOURS: "0",
      USAGE_SNAPSHOT_MINUTES: "0",
      USAGE_RECONCILE_HOURS: "0",
      DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? "20",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  server.stderr.on("data", (chunk) => (stderr += chunk));
  const running: RunningConsole = {
    base: `http://localhost:${port}`,
    said() {
      const text = stderr;
      stderr = "";
      return text;
    },
    async stop() {
      if (server.exitCode !== null) return;
      server.kill("SIGTERM");
      await new Promise((resolve) => server.once("exit", resolve));
    },
  };
  for (let waited = 0; ; waited += 500) {
    const status = await fetch(`${running.base}/api/health`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return running;
    if (waited > 120_000 || server.exitCode !== null) {
      await running.stop();
      throw new Error(`the console did not start: ${stderr.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
