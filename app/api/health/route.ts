import { sharedIsolationReport } from "@/db/guard";

export const dynamic = "force-dynamic";

/**
 * 200 `ok` when every isolation check passes, else 503 `refused` (or `unavailable` without a
 * database). Public, so it names nothing: the checks themselves are on the System page.
 */
export async function GET() {
  try {
    const report = await sharedIsolationReport();
    return Response.json(
      { status: report.ok ? "ok" : "refused" },
      { status: report.ok ? 200 : 503 },
    );
  } catch {
    return Response.json({ status: "unavailable" }, { status: 503 });
  }
}
