import { describe, expect, it } from "vitest";
import { summarizeOverview, type PlatformOverview } from "./overview";

const overview = {
  run: { scopedTables: 32 },
  byStatus: [
    { status: "active", plan: "team", n: 3 },
    { status: "active", plan: "free", n: 2 },
    { status: "trial", plan: "free", n: 1 },
  ],
  totals: { "users.total": 40, "rows.total": 900 },
  growth: [
    { days: 7, metric: "users.total", total: 35 },
    { days: 30, metric: "rows.total", total: 1_000 },
  ],
} as unknown as PlatformOverview;

describe("summarizeOverview", () => {
  it("tallies customers by status and by plan, and gives each figure's change or none", () => {
    const s = summarizeOverview(overview);
    expect(s.customers).toBe(6);
    expect(s.scoped).toBe(true);
    expect(s.byStatus).toEqual([
      ["active", 5],
      ["trial", 1],
    ]);
    expect(s.byPlan).toEqual([
      ["team", 3],
      ["free", 3],
    ]);
    expect(s.growth("users.total", 7)).toBe(5);
    expect(s.growth("rows.total", 30)).toBe(-100);
    expect(s.growth("users.total", 30)).toBeNull();
  });
});
