// `npm start` as a user runs it, in its own process group, for the specs of the first command.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";

type Env = Record<string, string | undefined>;

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ConsoleProcess {
  port: number;
  child: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves with the health status once it answers 200, or the process ends, or time runs out. */
  healthy(timeoutMs?: number): Promise<number>;
  /** Resolves with the exit code once the process has ended by itself. */
  exited(): Promise<number | null>;
  stop(): Promise<void>;
}

/** The test's environment with `env` over it; a key set to undefined is removed. */
function environment(env: Env): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key];
  return merged;
}

export function startConsole(env: Env, args: string[] = []): ConsoleProcess {
  const port = 3300 + Math.floor(Math.random() * 500);
  const child = spawn("npm", ["start", ...(args.length ? ["--", ...args] : [])], {
    cwd: ROOT,
    env: environment({ PORT: String(port), ...env }),
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const ended = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return {
    port,
    child,
    output: () => output,
    async healthy(timeoutMs = 150_000) {
      const deadline = Date.now() + timeoutMs;
      let status = 0;
      while (Date.now() < deadline && child.exitCode === null) {
        status = await fetch(`http://127.0.0.1:${port}/api/health`).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      return status;
    },
    exited: () => ended,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, "SIGINT");
        } catch {
          // already gone
        }
      }
      await ended;
    },
  };
}

/** Runs an npm script to its end and returns its exit code and output. */
export function runScript(
  script: string,
  args: string[],
  env: Env,
  input?: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
      cwd: ROOT,
      env: environment(env),
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.stdin.end(input ?? "");
    child.once("exit", (code) => resolve({ code, output }));
  });
}
