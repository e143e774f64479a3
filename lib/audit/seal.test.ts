import { afterEach, describe, expect, it, vi } from "vitest";
import { startAuditSealer } from "./seal";

describe("the audit sealer's log", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it("says a failure once until its message changes, and says when sealing works again", async () => {
    vi.stubEnv("AUDIT_SEAL_MS", "200");
    vi.useFakeTimers();
    const said = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const outcomes = ["down", "down", "down", "gone", "gone", null, null, "down"];
    let calls = 0;
    const stop = startAuditSealer(async () => {
      const outcome = outcomes[calls++];
      if (outcome) throw new Error(outcome);
    });
    try {
      await vi.advanceTimersByTimeAsync(200 * outcomes.length);
    } finally {
      stop();
    }
    expect(calls).toBe(outcomes.length);
    expect(said.mock.calls.map(([line]) => line)).toEqual([
      "audit sealing failed: down (trying again every 200 ms)",
      "audit sealing failed: gone (trying again every 200 ms)",
      "audit sealing works again",
      "audit sealing failed: down (trying again every 200 ms)",
    ]);
  });
});
