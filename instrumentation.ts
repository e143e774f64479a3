// Runs once when the Next server starts: refuse to serve unless isolation holds (docs/architecture.md §4).
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { refuseUnlessIsolated, refuseWithoutTwoFactorKey } =
      await import("./lib/health/startup");
    await refuseUnlessIsolated();
    await refuseWithoutTwoFactorKey();
    const { startPeriodicSnapshots, startPeriodicReconcile } = await import("./lib/usage/schedule");
    startPeriodicSnapshots();
    startPeriodicReconcile();
    const { startPeriodicBackups } = await import("./lib/portability/schedule");
    startPeriodicBackups();
    const { startMoveQueues } = await import("./lib/placement/queue");
    startMoveQueues();
    const { startAlertWorker } = await import("./lib/alerts/worker");
    startAlertWorker();
    const { startAuditSealer } = await import("./lib/audit/seal");
    startAuditSealer();
  }
}
