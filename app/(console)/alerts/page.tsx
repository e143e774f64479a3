import { AcknowledgeButton } from "@/components/alerts/acknowledge-button";
import { EmptyState } from "@/components/ui/empty-state";
import { dateTimeSeconds } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Cell, Row, Table } from "@/components/ui/table";
import { listAlerts } from "@/lib/alerts/queries";
import { webhookConfig } from "@/lib/alerts/webhook";
import { platformPage } from "@/lib/auth/pages";

export const dynamic = "force-dynamic";
export const metadata = { title: "Alerts" };

export default async function AlertsPage() {
  const { data: alerts } = await platformPage(
    { permission: "alerts.manage", action: "alerts.view" },
    async (tx) => listAlerts(tx),
  );
  const webhook = (() => {
    try {
      return webhookConfig() ? "on" : "off";
    } catch {
      return "misconfigured";
    }
  })();
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Cross-tenant attempts above a threshold, quotas crossed, trials ended, failed moves, adoptions and backups, the guard failing, replication slots left behind. One open alert per cause until acknowledged."
      />
      <p className="-mt-4 mb-6 text-sm text-slate-600">
        Webhook:{" "}
        {webhook === "on"
          ? "each alert is sent, signed, to ALERT_WEBHOOK_URL"
          : webhook === "off"
            ? "off (set ALERT_WEBHOOK_URL and ALERT_WEBHOOK_SECRET)"
            : "ALERT_WEBHOOK_URL is set without ALERT_WEBHOOK_SECRET: nothing is sent"}
        .
      </p>
      {alerts.length === 0 ? (
        <EmptyState title="No alerts">
          <p className="mt-1 text-sm text-slate-600">
            Nothing has needed a super-admin&apos;s eye yet.
          </p>
        </EmptyState>
      ) : (
        <Table
          headers={["Raised", "Kind", "Customer", "What", "Webhook", ""]}
          caption="Alerts, newest first"
        >
          {alerts.map((a) => (
            <Row key={a.id}>
              <Cell className="whitespace-nowrap">{dateTimeSeconds.format(a.raisedAt)} UTC</Cell>
              <Cell>{a.kind}</Cell>
              <Cell>{a.customerName ? `${a.customerName} (${a.tenantId})` : "—"}</Cell>
              <Cell>{a.summary}</Cell>
              <Cell>
                {a.deliveredAt
                  ? "delivered"
                  : a.attempts
                    ? `${a.attempts} failed ${a.attempts === 1 ? "attempt" : "attempts"}`
                    : "—"}
              </Cell>
              <Cell>
                {a.acknowledgedAt ? (
                  `acknowledged by ${a.acknowledgedBy}`
                ) : (
                  <AcknowledgeButton id={a.id} summary={a.summary} />
                )}
              </Cell>
            </Row>
          ))}
        </Table>
      )}
    </>
  );
}
