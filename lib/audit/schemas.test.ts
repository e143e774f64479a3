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
      size: "1e309",
      customer: "x".repeat(10_000),
    });
    expect(filter).toMatchObject({ actor: "", action: "", size: 50, customer: undefined });
  });

  it("ignores a cursor that does not decode or does not hold a place", () => {
    const cursor = (value: unknown) =>
      auditFilterSchema.parse({ cursor: Buffer.from(JSON.stringify(value)).toString("base64url") })
        .cursor;
    expect(auditFilterSchema.parse({ cursor: "%%%" }).cursor).toBeUndefined();
    expect(cursor({ page: 1, towards: "next", at: "1", id: 1 })).toBeUndefined();
    expect(cursor({ page: 2, towards: "next", at: "1 or 1=1", id: 1 })).toBeUndefined();
    expect(cursor({ page: 2, towards: "sideways", at: "1", id: 1 })).toBeUndefined();
    expect(cursor({ page: 2, towards: "next", at: "1732790000123456", id: 7 })).toEqual({
      page: 2,
      towards: "next",
      at: "1732790000123456",
      id: 7,
    });
  });
});
