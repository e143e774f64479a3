import { appIsolationReport } from "@/db/guard";

export const dynamic = "force-dynamic";

/** 200 when every isolation check passes, 503 with the failing checks named otherwise. */
export async function GET() {
  try {
    const report = await appIsolationReport();
    return Response.json({ status: report.ok ? "ok" : "refused", checks: report.checks }, { status: report.ok ? 200 : 503 });
  } catch {
    return Response.json({ status: "unavailable", checks: [], error: "The database cannot be reached." }, { status: 503 });
  }
}
