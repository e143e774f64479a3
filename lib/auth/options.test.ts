import { afterEach, describe, expect, it, vi } from "vitest";

describe("session cookies", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it("are Secure whenever the console's public URL is https, and only then", async () => {
    vi.stubEnv("NEXTAUTH_URL", "https://console.example.com");
    expect((await import("./options")).authOptions.useSecureCookies).toBe(true);
    vi.resetModules();
    vi.stubEnv("NEXTAUTH_URL", "http://localhost:3000");
    expect((await import("./options")).authOptions.useSecureCookies).toBe(false);
  });
});
