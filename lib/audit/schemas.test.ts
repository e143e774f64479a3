import { describe, expect, it } from "vitest";
import { auditFilterSchema } from "./schemas";

describe("the audit viewer's URL", () => {
  it("drops days that do not exist rather than failing on them", () => {
    expect(auditFilterSchema.parse({ from: "2024-13-01", to: "2024-02-30" })).toMatchObject({
      from: undefined,
      to: undefined,
    });
    expect(auditFilterSchema.parse({ from: "2024-02-29", to: "2024-03-01" })).toMatchObject({
      from: "2024-02-29",
      to: "2024-03-01",
    });
  });

  it("caps free text and falls back on bad numbers", () => {
    const filter = auditFilterSchema.parse({
      actor: "a".repeat(10_000),
      action: "b".repeat(10_000),
      page: "-4",
      size: "1e309",
      customer: "x".repeat(10_000),
    });
    expect(filter).toMatchObject({ actor: "", action: "", page: 1, size: 50, customer: undefined });
  });
});
