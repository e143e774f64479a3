import { describe, expect, it } from "vitest";
import { clientIp, readProxyTrust } from "./client-ip";

describe("clientIp", () => {
  const none = readProxyTrust({});

  it("with no proxy trusted, takes the peer the server appended, whatever the client forged before it", () => {
    expect(clientIp("203.0.113.5", none)).toBe("203.0.113.5");
    expect(clientIp("1.2.3.4, 5.6.7.8, 203.0.113.5", none)).toBe("203.0.113.5");
    expect(clientIp("::ffff:127.0.0.1", none)).toBe("127.0.0.1");
  });

  it("with N hops trusted, takes the address N entries from the right", () => {
    const one = readProxyTrust({ TRUSTED_PROXY_HOPS: "1" });
    expect(clientIp("6.6.6.6, 198.51.100.7, 10.0.0.2", one)).toBe("198.51.100.7");
    // Fewer entries than hops: the leftmost, which the first proxy wrote.
    expect(clientIp("10.0.0.2", readProxyTrust({ TRUSTED_PROXY_HOPS: "3" }))).toBe("10.0.0.2");
  });

  it("with trusted ranges, skips the proxies' own addresses from the right", () => {
    const trust = readProxyTrust({ TRUSTED_PROXY_CIDRS: "10.0.0.0/8, 127.0.0.1/32, fd00::/8" });
    expect(clientIp("6.6.6.6, 198.51.100.7, 10.1.2.3, 127.0.0.1", trust)).toBe("198.51.100.7");
    expect(clientIp("198.51.100.7, fd00::1", trust)).toBe("198.51.100.7");
  });

  it("answers null for a header that holds no address, and refuses bad settings with a sentence", () => {
    expect(clientIp(undefined, none)).toBeNull();
    expect(clientIp("not-an-ip", none)).toBeNull();
    expect(() => readProxyTrust({ TRUSTED_PROXY_HOPS: "-1" })).toThrow(/TRUSTED_PROXY_HOPS/);
    expect(() => readProxyTrust({ TRUSTED_PROXY_CIDRS: "everything" })).toThrow(/CIDR/);
  });
});
