// A usage snapshot for a test: taken now, or the test fails (another run held the lock).
import { takeSnapshot } from "../snapshot";

export async function snapshotTaken(...args: Parameters<typeof takeSnapshot>) {
  const run = await takeSnapshot(...args);
  if (run.skipped) throw new Error("the snapshot was skipped");
  return run;
}
