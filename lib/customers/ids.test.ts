import { describe, expect, it } from "vitest";
import {
  CUSTOMER_ID_ALPHABET,
  formatCustomerId,
  generateCustomerId,
  isCustomerId,
  LEGACY_CUSTOMER_ID,
  normalizeCustomerId,
} from "./ids";

describe("generateCustomerId", () => {
  it("draws 9 characters from the safe alphabet, evenly, over 100 000 IDs", () => {
    const counts = new Map<string, number>();
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = generateCustomerId();
      expect(id).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{9}$/);
      seen.add(id);
      for (const c of id) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(seen.size).toBe(100_000);
    for (const excluded of "OIL01") expect(counts.has(excluded)).toBe(false);
    expect([...counts.keys()].sort().join("")).toBe([...CUSTOMER_ID_ALPHABET].sort().join(""));
    // 900 000 draws over 31 characters: ~29 032 each, standard deviation ~168. ±3 % is > 5σ.
    const expected = 900_000 / CUSTOMER_ID_ALPHABET.length;
    for (const [c, n] of counts) expect(Math.abs(n - expected) / expected, c).toBeLessThan(0.03);
  });

  it("never generates the reserved legacy ID", () => {
    expect(LEGACY_CUSTOMER_ID).toMatch(/[L01]/);
  });
});

describe("normalizeCustomerId and isCustomerId", () => {
  it.each([
    ["abc-def-ghj", "ABCDEFGHJ", true],
    [" ABC DEF GHJ ", "ABCDEFGHJ", true],
    ["abc--def  ghj", "ABCDEFGHJ", true],
    ["legacy001", "LEGACY001", true],
    ["LEGACY-001", "LEGACY001", true],
    ["ABCDEFGH", "ABCDEFGH", false],
    ["ABCDEFGHJK", "ABCDEFGHJK", false],
    ["ABCDEFGH0", "ABCDEFGH0", false],
    ["ABCDEFGHI", "ABCDEFGHI", false],
    ["ABCDEFGHL", "ABCDEFGHL", false],
    ["ABCDEF_HJ", "ABCDEF_HJ", false],
    ["LEGACY002", "LEGACY002", false],
    ["", "", false],
  ])("%j → %j (%s)", (input, normalized, valid) => {
    expect(normalizeCustomerId(input)).toBe(normalized);
    expect(isCustomerId(normalizeCustomerId(input))).toBe(valid);
  });

  it("groups IDs for display", () => {
    expect(formatCustomerId("ABCDEFGHJ")).toBe("ABC-DEF-GHJ");
  });
});
