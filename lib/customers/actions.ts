"use server";

import { platformAction, tenantAction, type ActionAudit } from "@/lib/auth/action";
import { createInvite } from "@/lib/invites/mutations";
import { consoleLink } from "@/lib/http/links";
import { formatCustomerId } from "./ids";
import { findTransition } from "./lifecycle";
import {
  changeContactEmail,
  changePlan,
  createCustomer,
  editCustomer,
  extendTrial,
  transitionCustomer,
} from "./mutations";
import {
  changePlanSchema,
  contactEmailSchema,
  createCustomerSchema,
  editCustomerSchema,
  extendTrialSchema,
  transitionSchema,
} from "./schemas";

/** Before/after of the fields that changed, for the audit log. */
function diff(
  record: ActionAudit,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  fields: string[],
) {
  const changed = fields.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
  record.details = {
    ...record.details,
    before: Object.fromEntries(changed.map((f) => [f, before[f]])),
    after: Object.fromEntries(changed.map((f) => [f, after[f]])),
  };
}

export const createCustomerAction = platformAction(
  {
    name: "customers.create",
    permission: "customers.manage",
    schema: createCustomerSchema,
    revalidate: "/customers",
  },
  async (tx, input, ctx, record) => {
    const { id, sameName, database, asPlanned } = await createCustomer(tx, input);
    Object.assign(record, {
      tenantId: id,
      targetType: "customer",
      targetId: id,
      details: { after: { ...input, adminEmail: undefined }, database },
    });
    const data: Record<string, string> = { id };
    let message = `Created ${input.name} (${formatCustomerId(id)}) on ${database}.`;
    if (!asPlanned)
      message += ` Its plan asks for a dedicated database and none is active: move it once one is.`;
    if (sameName > 0)
      message += ` Note: ${sameName} other customer${sameName === 1 ? " is" : "s are"} also named ${input.name}.`;
    if (input.adminEmail) {
      const invite = await createInvite(tx, {
        tenantId: id,
        email: input.adminEmail,
        role: "admin",
        invitedBy: ctx.user.id,
      });
      data.link = await consoleLink(`/invite/${invite.token}`);
      console.log(`invite for ${input.adminEmail} to ${id} (admin): ${data.link}`);
      message += ` Send ${input.adminEmail} the invitation link below; it works once, for 72 hours.`;
    }
    return { ok: true, message, data };
  },
);

export const editCustomerAction = platformAction(
  {
    name: "customers.edit",
    permission: "customers.manage",
    schema: editCustomerSchema,
    revalidate: "/customers",
  },
  async (tx, input, _ctx, record) => {
    Object.assign(record, { tenantId: input.id, targetType: "customer", targetId: input.id });
    const { before, after } = await editCustomer(tx, input);
    diff(record, before, after, ["name", "contactEmail"]);
    return { ok: true, message: "Saved." };
  },
);

export const changePlanAction = platformAction(
  {
    name: "customers.change-plan",
    permission: "customers.change-plan",
    schema: changePlanSchema,
    revalidate: "/customers",
  },
  async (tx, { id, version, plan, ...overrides }, _ctx, record) => {
    Object.assign(record, { tenantId: id, targetType: "customer", targetId: id });
    const { before, after } = await changePlan(tx, { id, version, plan, overrides });
    diff(record, before, after, ["plan", "quotaOverrides", "status"]);
    return { ok: true, message: "Plan and limits saved." };
  },
);

/** A super-admin extends a trial (running or expired), with a reason: the customer may write again. */
export const extendTrialAction = platformAction(
  {
    name: "customers.extend-trial",
    permission: "customers.manage",
    schema: extendTrialSchema,
    revalidate: "/customers",
  },
  async (tx, input, _ctx, record) => {
    Object.assign(record, {
      tenantId: input.id,
      targetType: "customer",
      targetId: input.id,
      details: { reason: input.reason, days: input.days },
    });
    const { before, after } = await extendTrial(tx, input);
    diff(record, before, after, ["status", "trialEndsAt"]);
    return {
      ok: true,
      message: `The trial runs until ${after.trialEndsAt!.toISOString().slice(0, 10)}.`,
    };
  },
);

export const transitionCustomerAction = platformAction(
  {
    name: "customers.transition",
    permission: "customers.manage",
    schema: transitionSchema,
    revalidate: "/customers",
  },
  async (tx, input, _ctx, record) => {
    Object.assign(record, {
      tenantId: input.id,
      targetType: "customer",
      targetId: input.id,
      details: { reason: input.reason },
    });
    const { before, after } = await transitionCustomer(tx, input);
    diff(record, before, after, ["status"]);
    const verb = findTransition(before.status, after.status)?.verb ?? "Changed";
    return { ok: true, message: `${verb}: the customer is now ${after.status}.` };
  },
);

/** A customer admin edits their own organisation's contact email (docs/architecture.md §6). */
export const updateContactEmailAction = tenantAction(
  {
    name: "customers.edit",
    permission: "organisation.edit",
    schema: contactEmailSchema,
    revalidate: "/home",
  },
  async (tx, { version, contactEmail }, ctx, record) => {
    const id = ctx.customer.id;
    Object.assign(record, { targetType: "customer", targetId: id });
    const { before, after } = await changeContactEmail(tx, { id, version, contactEmail });
    diff(record, before, after, ["contactEmail"]);
    return { ok: true, message: "Contact email saved." };
  },
);
