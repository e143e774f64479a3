import "server-only";
import { and, asc, count, desc, eq, inArray, like, or, sql, type SQL } from "drizzle-orm";
import { auditEvents, customers, plans } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { isCustomerId, normalizeCustomerId } from "./ids";
import type { CustomerListParams } from "./schemas";

/** The customer row the transaction is bound to (RLS shows no other). */
export async function getOwnCustomer(tx: Tx, tenantId: string) {
  const [row] = await tx
    .select({
      id: customers.id,
      name: customers.name,
      status: customers.status,
      plan: plans.displayName,
      contactEmail: customers.contactEmail,
      createdAt: customers.createdAt,
      version: customers.version,
    })
    .from(customers)
    .innerJoin(plans, eq(plans.name, customers.plan))
    .where(eq(customers.id, tenantId));
  return row ?? null;
}

export function listPlans(tx: Tx) {
  return tx.select().from(plans).orderBy(asc(plans.position));
}

const userCount = sql<number>`(select count(*)::int from control.memberships m where m.tenant_id = ${customers.id})`;

function escapeLike(text: string) {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function listFilter(params: CustomerListParams): SQL | undefined {
  let search: SQL | undefined;
  if (params.q) {
    const byName = like(sql`lower(${customers.name})`, `${escapeLike(params.q.toLowerCase())}%`);
    const id = normalizeCustomerId(params.q);
    search = isCustomerId(id) ? or(byName, eq(customers.id, id)) : byName;
  }
  return and(
    params.status ? eq(customers.status, params.status) : undefined,
    params.plan ? eq(customers.plan, params.plan) : undefined,
    search,
  );
}

const SORT_KEYS = {
  name: sql`lower(${customers.name})`,
  status: customers.status,
  plan: customers.plan,
  users: userCount,
  created: customers.createdAt,
} as const;

/** One page of the super-admin's customer list, and the total for the pager. */
export async function listCustomers(tx: Tx, params: CustomerListParams) {
  const where = listFilter(params);
  const direction = params.dir === "asc" ? asc : desc;
  const [rows, [{ total }]] = await Promise.all([
    tx
      .select({
        id: customers.id,
        name: customers.name,
        status: customers.status,
        plan: customers.plan,
        createdAt: customers.createdAt,
        trialEndsAt: customers.trialEndsAt,
        users: userCount,
      })
      .from(customers)
      .where(where)
      .orderBy(direction(SORT_KEYS[params.sort]), direction(customers.id))
      .limit(params.size)
      .offset((params.page - 1) * params.size),
    tx.select({ total: count() }).from(customers).where(where),
  ]);
  return { rows, total };
}
export type CustomerListRow = Awaited<ReturnType<typeof listCustomers>>["rows"][number];

export async function getCustomer(tx: Tx, id: string) {
  const [row] = await tx
    .select({ customer: customers, plan: plans })
    .from(customers)
    .innerJoin(plans, eq(plans.name, customers.plan))
    .where(eq(customers.id, id));
  return row ?? null;
}

/** The audit actions that change a customer: its history. */
export const CUSTOMER_CHANGES = ["customers.create", "customers.edit", "customers.plan", "customers.status"];

/** Status changes and edits of one customer, newest first, from the audit log. */
export function customerHistory(tx: Tx, id: string) {
  return tx
    .select({
      at: auditEvents.at,
      action: auditEvents.action,
      actorEmail: auditEvents.actorEmail,
      details: auditEvents.details,
    })
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, id), inArray(auditEvents.action, CUSTOMER_CHANGES), eq(auditEvents.outcome, "ok")))
    .orderBy(desc(auditEvents.at))
    .limit(50);
}
