import { withPlatform } from "@/db/tenant";
import { requestMeta } from "@/lib/audit/request";
import { route } from "@/lib/auth/routes";
import { dataLifecycle } from "@/lib/portability/queries";
import { dataExportQuerySchema } from "@/lib/portability/schemas";

export const dynamic = "force-dynamic";

/** A customer's erase certificate as JSON, for a super-admin; read on the platform door, audited. */
export const GET = route(
  { permission: "customers.manage", action: "data.erasure.read", query: dataExportQuerySchema },
  async (_request, ctx, query) => {
    const customer = query.customer;
    const erasure = customer
      ? await withPlatform(
          { userId: ctx.user.id, email: ctx.user.email, platformRole: ctx.platformRole },
          {
            action: "data.erasure.read",
            tenantId: customer,
            targetType: "customer",
            targetId: customer,
            meta: await requestMeta(),
          },
          async (tx) => (await dataLifecycle(tx, customer)).erasure,
        )
      : null;
    if (!erasure) return new Response("Not found.", { status: 404 });
    return new Response(`${JSON.stringify(erasure.certificate, null, 2)}\n`, {
      headers: {
        "Content-Type": "application/json",
        "Content-Disposition": `attachment; filename="erase-certificate-${customer}.json"`,
        "Cache-Control": "no-store",
      },
    });
  },
);
