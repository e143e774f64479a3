// For the property and fuzz tests (issue #20): every entry point, found in the code — so a new
// server action or route handler is covered without anyone listing it — and the people, data and
// generated inputs they are driven with. The database is the real one of the test's fixture.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { NextRequest } from "next/server";
import { z } from "zod";
import { insertCustomers, insertUser, type DatabaseFixture } from "@/db/test/fixture";

type Owner = DatabaseFixture["owner"];
import { sealAuditEvents } from "@/lib/audit/seal";
import { flushLeases } from "@/lib/api/limits";
import { generateCustomerId } from "@/lib/customers/ids";
import { specOf, type ActionState } from "../action";

const root = path.resolve(import.meta.dirname, "../../..");
const tracked = (pattern: string) =>
  execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", pattern], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);

export interface ActionEntry {
  /** `file#export`, as a failure names it. */
  id: string;
  call: (previous: ActionState, formData: FormData) => Promise<ActionState>;
  /** What the chain declares; undefined for the public actions (a token is their credential). */
  spec?: ReturnType<typeof specOf>;
  /** The input's fields, from its zod schema (JSON Schema of its input). */
  fields: Record<string, JsonField>;
}

export interface JsonField {
  type?: string;
  enum?: string[];
  const?: string;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
}

const PUBLIC_FIELDS: Record<string, Record<string, JsonField>> = {
  // The public actions parse their forms themselves; their fields, for the generators.
  "lib/invites/actions.ts#acceptInviteAction": {
    token: { type: "string" },
    displayName: { type: "string" },
    password: { type: "string" },
    confirm: { type: "string" },
  },
  "lib/auth/reset-actions.ts#resetPasswordAction": {
    token: { type: "string" },
    password: { type: "string" },
    confirm: { type: "string" },
  },
};

/** Every export of every `"use server"` module. */
export async function serverActions(): Promise<ActionEntry[]> {
  const files = tracked("*.ts").filter((f) =>
    /^\s*["']use server["']/.test(readFileSync(path.join(root, f), "utf8")),
  );
  const entries: ActionEntry[] = [];
  for (const file of files.sort()) {
    const exported = (await import(path.join(root, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exported)) {
      if (typeof value !== "function") continue;
      const id = `${file}#${name}`;
      const spec = specOf(value);
      const fields = spec
        ? ((
            z.toJSONSchema(spec.schema, { io: "input", unrepresentable: "any" }) as {
              properties?: Record<string, JsonField>;
            }
          ).properties ?? {})
        : PUBLIC_FIELDS[id];
      if (!fields) throw new Error(`${id}: a public action the fuzz does not know the fields of`);
      entries.push({ id, call: value as ActionEntry["call"], spec, fields });
    }
  }
  return entries;
}

export interface RouteEntry {
  /** `app/…/route.ts GET`. */
  id: string;
  /** The URL path, with `[param]` segments. */
  pattern: string;
  params: string[];
  method: string;
  handle: (request: Request, context: { params: Promise<Record<string, unknown>> }) => unknown;
}

/** Every method of every route handler under app/. */
export async function routeHandlers(): Promise<RouteEntry[]> {
  const entries: RouteEntry[] = [];
  for (const file of tracked("app/**/route.ts").sort()) {
    const exported = (await import(path.join(root, file))) as Record<string, unknown>;
    const pattern = "/" + path.dirname(file).split("/").slice(1).join("/");
    const params = [...pattern.matchAll(/\[(?:\.\.\.)?(\w+)\]/g)].map((m) => m[1]);
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      const handle = exported[method];
      if (typeof handle === "function")
        entries.push({
          id: `${file} ${method}`,
          pattern,
          params,
          method,
          handle: handle as RouteEntry["handle"],
        });
    }
  }
  return entries;
}

/** The query parameters the route handlers read, for generated query strings. */
export const QUERY_KEYS = ["id", "customer", "from", "to", "page", "size", "format", "q", "tenant"];

/**
 * Calls a route handler as Next would: a NextRequest for its path with the parameters filled
 * in, the query string, a JSON body for a method that takes one, and a bearer key when given.
 */
export async function callRoute(
  entry: RouteEntry,
  input: { params: string[]; query: Record<string, string>; body?: string; bearer?: string },
): Promise<Response> {
  let path = entry.pattern;
  entry.params.forEach((name, i) => {
    path = path.replace(
      new RegExp(`\\[(\\.\\.\\.)?${name}\\]`),
      encodeURIComponent(input.params[i]),
    );
  });
  const url = new URL(`http://entry.test${path}`);
  for (const [k, v] of Object.entries(input.query)) url.searchParams.set(k, v);
  const headers = new Headers({ "content-type": "application/json" });
  if (input.bearer !== undefined)
    headers.set("authorization", `Bearer ${input.bearer.replace(/[^\x20-\x7e]/g, "?")}`);
  const withBody = entry.method !== "GET" && entry.method !== "DELETE";
  const params = Object.fromEntries(
    entry.params.map((name, i) => [
      name,
      entry.pattern.includes(`[...${name}]`) ? input.params[i].split("/") : input.params[i],
    ]),
  );
  return (await entry.handle(
    new NextRequest(url, {
      method: entry.method,
      headers,
      body: withBody ? input.body : undefined,
    }),
    { params: Promise.resolve(params) },
  )) as Response;
}

/** Who drives the entry points: a customer's admin and member, and super-admins. */
export const ACTORS = [
  "signed out",
  "member",
  "admin",
  "super-admin",
  "switched read",
  "switched write",
] as const;
export type Actor = (typeof ACTORS)[number];

export interface Population {
  /** A and B are customers side by side; C is the one the super-admins act on. */
  A: string;
  B: string;
  C: string;
  users: {
    adminA: string;
    memberA: string;
    adminB: string;
    memberB: string;
    adminC: string;
    root: string;
    readA: string;
    writeA: string;
  };
  /** Every ID a form could name, per customer: its own, its users', invitations', keys', sessions'. */
  ids: Record<string, string[]>;
}

/** Two customers side by side and a third, their users, and rows of theirs that actions name. */
export async function populate(owner: Owner): Promise<Population> {
  const [A, B, C] = await insertCustomers(owner, [
    generateCustomerId(),
    generateCustomerId(),
    generateCustomerId(),
  ]);
  const user = (email: string, tenantId: string | null, role?: "admin" | "member") =>
    insertUser(owner, { email, tenantId, role, twoFactor: tenantId ? undefined : true });
  const users = {
    adminA: await user(`admin@${A.toLowerCase()}.example`, A, "admin"),
    memberA: await user(`member@${A.toLowerCase()}.example`, A, "member"),
    adminB: await user(`admin@${B.toLowerCase()}.example`, B, "admin"),
    memberB: await user(`member@${B.toLowerCase()}.example`, B, "member"),
    adminC: await user(`admin@${C.toLowerCase()}.example`, C, "admin"),
    root: await user(`root-${A.toLowerCase()}@tenantry.example`, null),
    readA: await user(`read-${A.toLowerCase()}@tenantry.example`, null),
    writeA: await user(`write-${A.toLowerCase()}@tenantry.example`, null),
  };
  for (const [id, tenant] of [
    [users.adminA, A],
    [users.memberA, A],
    [users.adminB, B],
    [users.memberB, B],
    [users.adminC, C],
  ]) {
    await owner.query(
      `insert into control.invites (tenant_id, email, role, token_hash, expires_at)
       values ($1, 'invited-' || $2 || '@example.com', 'member', md5(random()::text), now() + interval '1 hour')`,
      [tenant, id],
    );
    await owner.query(
      `insert into control.api_keys (tenant_id, name, prefix, secret_hash, scopes, created_by)
       values ($1, 'key', 'tk_' || md5(random()::text), md5(random()::text), array['usage:read'], 'seed')`,
      [tenant],
    );
    await owner.query(
      "insert into control.sessions (user_id, tenant_id, ip, user_agent) values ($1, $2, '192.0.2.1', 'seed')",
      [id, tenant],
    );
  }
  // A plan with room: an invitation is refused at the Free plan's three users.
  await owner.query("update control.customers set plan = 'business' where id = any($1)", [
    [A, B, C],
  ]);
  await reopenSwitches(owner, { A, users } as Population);
  const ids: Record<string, string[]> = {};
  for (const tenant of [A, B, C]) {
    const { rows } = await owner.query<{ id: string }>(
      `select id::text from control.invites where tenant_id = $1
       union all select id::text from control.api_keys where tenant_id = $1
       union all select id::text from control.sessions where tenant_id = $1
       union all select user_id::text from control.memberships where tenant_id = $1`,
      [tenant],
    );
    ids[tenant] = [tenant, ...rows.map((r) => r.id)];
  }
  return { A, B, C, users, ids };
}

/** The two switches into A, open (a generated step may have ended one). */
export async function reopenSwitches(owner: Owner, p: Pick<Population, "A" | "users">) {
  await owner.query(
    `insert into control.switches (super_admin_id, super_admin_email, tenant_id, reason, mode, expires_at)
     select u.id, u.email, $1, 'property test: generated steps', m.mode, now() + interval '1 hour'
       from (values ($2::uuid, 'read'), ($3::uuid, 'write')) as m (id, mode)
       join control.users u using (id)
      where not exists (select 1 from control.switches s
                         where s.super_admin_id = u.id and s.ended_at is null)`,
    [p.A, p.users.readA, p.users.writeA],
  );
}

/** What a generated run makes of a customer: its plan, and whether it is in a trial, or past one. */
export interface CustomerState {
  plan: "free" | "team" | "business";
  trial: "none" | "running" | "ended";
}

export const customerState: fc.Arbitrary<CustomerState> = fc.record({
  plan: fc.constantFrom("free", "team", "business"),
  trial: fc.constantFrom("none", "running", "ended"),
});

/**
 * Puts back what a generated step may legitimately have changed about the population itself: the
 * customers active at their first version (or as `states` makes them), the users in their roles,
 * no invitations but the seeded ones, the switches open.
 */
export async function restore(
  owner: Owner,
  p: Population,
  states: Partial<Record<"A" | "B", CustomerState>> = {},
) {
  await owner.query(
    "update control.customers set status = 'active', version = 1 where id = any($1) and (status <> 'active' or version <> 1)",
    [[p.A, p.B, p.C]],
  );
  for (const [key, state] of Object.entries(states))
    await owner.query(
      `update control.customers set plan = $2,
              status = case when $3 = 'none' then 'active' else 'trial' end,
              trial_ends_at = case $3 when 'running' then now() + interval '7 days'
                                      when 'ended' then now() - interval '1 day' end
        where id = $1`,
      [p[key as "A" | "B"], state.plan, state.trial],
    );
  await owner.query(
    "update control.invites set revoked_at = now() where revoked_at is null and accepted_at is null and email not like 'invited-%'",
  );
  await owner.query(
    `update control.memberships set role = case when user_id = any($1) then 'admin' else 'member' end
      where user_id = any($2)`,
    [
      [p.users.adminA, p.users.adminB, p.users.adminC],
      [p.users.adminA, p.users.memberA, p.users.adminB, p.users.memberB, p.users.adminC],
    ],
  );
  await owner.query("update control.users set status = 'active' where status <> 'active'");
  await reopenSwitches(owner, p);
}

/** The user each actor signs in as (none when signed out). */
export function userOf(p: Population, actor: Actor, customer: "A" | "B" = "A"): string | null {
  const u = p.users;
  switch (actor) {
    case "signed out":
      return null;
    case "member":
      return customer === "A" ? u.memberA : u.memberB;
    case "admin":
      return customer === "A" ? u.adminA : u.adminB;
    case "super-admin":
      return u.root;
    case "switched read":
      return u.readA;
    case "switched write":
      return u.writeA;
  }
}

/**
 * Each customer's rows, table by table, as hashes: every table with a `tenant_id` in every
 * schema, the customer's own row, its users (through memberships) and its audit chain's head,
 * once what is pending is sealed and the API calls leases let through are counted (a step's
 * events and calls are its own, not the next step's).
 */
export type Fingerprints = Record<string, Record<string, string>>;

export async function fingerprints(owner: Owner, tenants: string[]): Promise<Fingerprints> {
  await sealAuditEvents();
  await flushLeases({ all: true });
  let statement = statements.get(owner);
  if (!statement) statements.set(owner, (statement = fingerprintStatement(owner)));
  const { rows } = await owner.query<{ t: string; tenant: string; h: string }>(await statement, [
    tenants,
  ]);
  const out: Fingerprints = Object.fromEntries(tenants.map((t) => [t, {}]));
  for (const row of rows) out[row.tenant][row.t] = row.h;
  return out;
}

/** The fingerprint's statement, per database: its tables are read from the catalog once. */
const statements = new WeakMap<Owner, Promise<string>>();

async function fingerprintStatement(owner: Owner): Promise<string> {
  const { rows: tables } = await owner.query<{ name: string }>(
    `select format('%I.%I', c.table_schema, c.table_name) as name
       from information_schema.columns c
       join information_schema.tables t using (table_schema, table_name)
      where c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'
        and c.table_schema not in ('pg_catalog', 'information_schema')
      order by 1`,
  );
  const parts = [
    ...tables.map(({ name }) =>
      // The audit trail only grows, and its chain proves its content: its length and newest do.
      name === "control.audit_events"
        ? `select '${name}' as t, tenant_id, count(*) || ':' || max(id) from ${name} where tenant_id = any($1) group by 2`
        : `select '${name}' as t, tenant_id::text as tenant, md5(string_agg(to_jsonb(x)::text, ',' order by to_jsonb(x)::text)) as h from ${name} x where tenant_id::text = any($1) group by 2`,
    ),
    `select 'control.customers', id, md5(to_jsonb(x)::text) from control.customers x where id = any($1)`,
    `select 'control.users', m.tenant_id, md5(string_agg(to_jsonb(u)::text, ',' order by u.id)) from control.users u join control.memberships m on m.user_id = u.id where m.tenant_id = any($1) group by 2`,
    `select 'control.audit_chain', chain, md5(to_jsonb(x)::text) from control.audit_chain x where chain = any($1)`,
  ];
  return parts.join(" union all ");
}

/** The tables of a fingerprint that differ between two. */
export const changed = (before: Record<string, string>, after: Record<string, string>) =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((t) => before[t] !== after[t])
    .sort();

/** Where a refusal is recorded, in the actor's own customer: its audit trail, and alerts. */
export const RECORD_TABLES = ["control.audit_events", "control.audit_chain", "control.alerts"];

const HUGE = "x".repeat(100_000);
const HUGE_UNICODE = "😀ä\u200b".repeat(25_000);

/** A value a form could carry for the field `name`: plausible (`valid`) or hostile. */
export function fieldValue(
  name: string,
  field: JsonField,
  ids: string[],
  mode: "valid" | "hostile",
): fc.Arbitrary<string | File> {
  const named = fc.constantFrom(...ids);
  const specific: fc.Arbitrary<string>[] = [];
  if (field.enum) specific.push(fc.constantFrom(...field.enum));
  if (field.const !== undefined) specific.push(fc.constant(field.const));
  if (field.format === "email" || /email/i.test(name))
    specific.push(
      fc
        .tuple(
          fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/),
          fc.constantFrom("example.com", "example.org"),
        )
        .map(([local, domain]) => `${local}@${domain}`),
    );
  if (field.format === "uuid") specific.push(fc.uuid({ version: 4 }));
  if (field.pattern?.startsWith("^[a-z")) specific.push(fc.constantFrom("app", "public", "db2"));
  if (field.type === "integer" || field.type === "number")
    specific.push(
      fc.integer({ min: 1, max: 3 }).map(String),
      fc
        .integer({ min: field.minimum ?? 0, max: Math.min(field.maximum ?? 1_000, 1_000) })
        .map(String),
    );
  else if (specific.length === 0)
    specific.push(
      fc.stringMatching(
        new RegExp(
          `^[A-Za-z0-9 ]{${Math.max(field.minLength ?? 0, 1)},${Math.min(field.maxLength ?? 40, 40)}}$`,
        ),
      ),
      fc.string({
        minLength: field.minLength ?? 0,
        maxLength: Math.min(field.maxLength ?? 40, 40),
      }),
    );
  // IDs are what cross-tenant attempts are made of: one value in four names someone's row, more
  // for an ID field.
  const plausible = fc.oneof(
    { arbitrary: named, weight: field.format === "uuid" || /id$/i.test(name) ? 3 : 1 },
    { arbitrary: fc.oneof(...specific), weight: 3 },
  );
  if (mode === "valid") return plausible;
  // Mostly plausible, so that a hostile value in one field meets the others valid and gets past
  // the schema's first refusal to whatever is behind it.
  return fc.oneof({ arbitrary: plausible, weight: 2 }, { arbitrary: hostile, weight: 1 });
}

const hostile: fc.Arbitrary<string | File> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "null",
    "undefined",
    "-1",
    "1e400",
    "NaN",
    "[object Object]",
    '{"a":1}',
    "<script>alert(1)</script>",
    "'; drop table control.customers; --",
    HUGE,
    HUGE_UNICODE,
    "\ud800",
    "٣",
    "İ",
    "0x10",
  ),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constant(new File(["%PDF"], "x.pdf", { type: "application/pdf" })),
);

/** A form for `entry`: fields present or missing, with extra ones naming other customers. */
export function formFor(
  entry: Pick<ActionEntry, "fields">,
  ids: string[],
  mode: "valid" | "hostile",
): fc.Arbitrary<FormData> {
  const names = Object.keys(entry.fields);
  const present = mode === "valid" ? 0.95 : 0.7;
  const fields = fc.tuple(
    ...names.map((name) =>
      fc.tuple(
        fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < present),
        fieldValue(name, entry.fields[name], ids, mode),
      ),
    ),
  );
  const extras =
    mode === "valid"
      ? fc.constant([] as [string, string][])
      : fc.array(
          fc.tuple(
            fc.constantFrom("tenantId", "tenant_id", "customer", "id", "userId", "__proto__"),
            fc.constantFrom(...ids),
          ),
          { maxLength: 3 },
        );
  return fc.tuple(fields, extras).map(([values, extra]) => {
    const form = new FormData();
    names.forEach((name, i) => {
      const [keep, value] = values[i];
      if (keep) form.append(name, value);
    });
    for (const [name, value] of extra) form.append(name, value);
    return form;
  });
}

/** Describes a form in a failure message, long values cut. */
export const showForm = (form: FormData) =>
  JSON.stringify(
    [...form.entries()].map(([k, v]) => [
      k,
      typeof v === "string" ? (v.length > 60 ? `${v.slice(0, 30)}…(${v.length})` : v) : "<file>",
    ]),
  );

/** How an answer can leak the server's insides. */
export const STACK =
  /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|\bError: |ECONNREFUSED|syntax error at/;
