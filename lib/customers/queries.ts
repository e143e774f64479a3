import "server-only";
import { eq } from "drizzle-orm";
import { customers } from "@/db/schema";
import type { Tx } from "@/db/tenant";

/** The customer row the transaction is bound to (RLS shows no other). */
export async function getOwnCustomer(tx: Tx, tenantId: string) {
  const [row] = await tx
    .select({
      id: customers.id,
      name: customers.name,
      status: customers.status,
      contactEmail: customers.contactEmail,
      createdAt: customers.createdAt,
    })
    .from(customers)
    .where(eq(customers.id, tenantId));
  return row ?? null;
}
