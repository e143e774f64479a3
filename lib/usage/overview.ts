// The platform overview's figures, derived from a snapshot (platformOverview in queries.ts):
// customers by status and by plan, and each figure's change over 7 and 30 days. Pure, so the
// page only renders. The dedicated-placement threshold comes from the environment, validated.
import { z } from "zod";
import type { platformOverview } from "./queries";

export type PlatformOverview = Awaited<ReturnType<typeof platformOverview>>;

export const PLACEMENT_THRESHOLD_ROWS = z.coerce
  .number()
  .int()
  .positive()
  .catch(1_000_000)
  .parse(process.env.PLACEMENT_THRESHOLD_ROWS ?? 1_000_000);

function tally(rows: PlatformOverview["byStatus"], key: "status" | "plan"): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r[key], (counts.get(r[key]) ?? 0) + r.n);
  return [...counts];
}

export function summarizeOverview(o: PlatformOverview) {
  return {
    customers: o.byStatus.reduce((n, r) => n + r.n, 0),
    /** Whether any data-plane table is tenant-scoped yet (rows and storage mean nothing before). */
    scoped: (o.run?.scopedTables ?? 0) > 0,
    byStatus: tally(o.byStatus, "status"),
    byPlan: tally(o.byStatus, "plan"),
    /** A figure's change against the snapshot nearest `days` ago; null without one. */
    growth(metric: string, days: 7 | 30): number | null {
      const then = o.growth.find((g) => g.metric === metric && g.days === days);
      const now = o.totals[metric];
      return then && now !== undefined ? now - then.total : null;
    },
  };
}
