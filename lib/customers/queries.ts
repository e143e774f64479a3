import "server-only";
import { and, asc, count, desc, eq, inArray, like, or, sql, type SQL } from "drizzle-orm";
import { auditEvents, customers, memberships, plans } from "@/db/schema";
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

const listColumns = {
  id: customers.id,
  name: customers.name,
  status: customers.status,
  plan: customers.plan,
  createdAt: customers.createdAt,
  trialEndsAt: customers.trialEndsAt,
};

type Sortable = Exclude<CustomerListParams["sort"], "users">;

/** The ORDER BY key of a sort, over the customers table or the page cut from it. */
function sortKey(
  columns: { name: unknown; status: unknown; plan: unknown; createdAt: unknown },
  sort: Sortable,
): SQL {
  const keys: Record<Sortable, SQL> = {
    name: sql`lower(${columns.name})`,
    status: sql`${columns.status}`,
    plan: sql`${columns.plan}`,
    created: sql`${columns.createdAt}`,
  };
  return keys[sort];
}

/**
 * The two statements behind a page of the list: the rows, and the total for the pager.
 * The user count is computed for the page's rows only (an index lookup each), after the page
 * is cut — except when sorting by it, where one grouped count joins every candidate.
 */
export function customerListQueries(tx: Tx, params: CustomerListParams) {
  const where = listFilter(params);
  const direction = params.dir === "asc" ? asc : desc;
  const offset = (params.page - 1) * params.size;
  const total = tx.select({ total: count() }).from(customers).where(where);

  if (params.sort === "users") {
    const counts = tx
      .select({ tenantId: memberships.tenantId, n: sql<number>`count(*)::int`.as("n") })
      .from(memberships)
      .groupBy(memberships.tenantId)
      .as("counts");
    const users = sql<number>`coalesce(${counts.n}, 0)`;
    const rows = tx
      .select({ ...listColumns, users })
      .from(customers)
      .leftJoin(counts, eq(counts.tenantId, customers.id))
      .where(where)
      .orderBy(direction(users), direction(customers.id))
      .limit(params.size)
      .offset(offset);
    return { rows, total };
  }

  const page = tx
    .select(listColumns)
    .from(customers)
    .where(where)
    .orderBy(direction(sortKey(customers, params.sort)), direction(customers.id))
    .limit(params.size)
    .offset(offset)
    .as("page");
  const rows = tx
    .select({
      id: page.id,
      name: page.name,
      status: page.status,
      plan: page.plan,
      createdAt: page.createdAt,
      trialEndsAt: page.trialEndsAt,
      users: sql<number>`(select count(*)::int from control.memberships m where m.tenant_id = ${page.id})`,
    })
    .from(page)
    .orderBy(direction(sortKey(page, params.sort)), direction(page.id));
  return { rows, total };
}

/** One page of the super-admin's customer list, and the total for the pager. */
export async function listCustomers(tx: Tx, params: CustomerListParams) {
  const queries = customerListQueries(tx, params);
  const rows = await queries.rows;
  const [{ total }] = await queries.total;
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
export const CUSTOMER_CHANGES = [
  "customers.create",
  "customers.edit",
  "customers.change-plan",
  "customers.transition",
];

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
    .where(
      and(
        eq(auditEvents.tenantId, id),
        inArray(auditEvents.action, CUSTOMER_CHANGES),
        eq(auditEvents.outcome, "ok"),
      ),
    )
    .orderBy(desc(auditEvents.at))
    .limit(50);
}
