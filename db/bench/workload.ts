// The workload (npm run workload) as a process of its own, as the platform's application is: its
// writes' times then hold what the database did to them, not what the bench's own work on its
// event loop (a move's checksums, say) did. Its report comes back whole when it is stopped.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestDatabase } from "../test/databases";
import { reportFromJson, type WorkloadReport } from "../../lib/placement/workload";
import { ROOT } from "./console";

export interface WorkloadProcess {
  stop(): Promise<WorkloadReport>;
}

/** Starts writing for `customers` at `rate` rows a second in all; resolves once it writes. */
export async function startWorkloadProcess(
  database: TestDatabase,
  customers: string[],
  rate: number,
): Promise<WorkloadProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), "tenantry-workload-"));
  const file = path.join(dir, "report.json");
  const child = spawn(
    process.execPath,
    [
      "--conditions=react-server",
      "--import",
      "tsx",
      path.join(ROOT, "lib/placement/workload-cli.ts"),
      ...["--customers", customers.join(","), "--rate", String(rate)],
      ...["--seconds", "86400", "--report", file],
    ],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: database.ownerUrl, APP_DATABASE_URL: database.appUrl },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let said = "";
  child.stderr.on("data", (chunk) => (said += chunk));
  const ended = new Promise<number | null>((resolve) => child.once("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      if (String(chunk).includes("Writing for")) resolve();
    });
    void ended.then((code) => reject(new Error(`the workload ended (${code}): ${said}`)));
  });
  return {
    async stop() {
      child.kill("SIGTERM");
      await ended;
      try {
        return reportFromJson(readFileSync(file, "utf8"));
      } catch (error) {
        throw new Error(`the workload left no report (${(error as Error).message}): ${said}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
