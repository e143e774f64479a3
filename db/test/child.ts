// A TypeScript script of the tests' own in a process of its own, as the server's code runs
// (the react-server condition, through tsx): another app instance, or work a test kills part-way.
// Its output comes back on stdout and stderr.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";

export function spawnScript(
  script: string,
  env: Record<string, string>,
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}
