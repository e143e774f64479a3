// The control plane: the console's own tables in schema `control` (docs/architecture.md §5).
// Every table keyed by a customer carries the tenant policy of docs/architecture.md §3; FORCE, roles and
// grants are added by the hand-written migration that follows the generated one.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
  integer,
  check,
  doublePrecision,
  index,
  jsonb,
  pgPolicy,
  pgRole,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";

export const control = pgSchema("control");

const tenantRole = pgRole("tenantry_tenant").existing();

/** The tenant the current transaction is bound to; NULL (so: no rows) when none is set. */
export const CURRENT_TENANT_SQL = "(select nullif(current_setting('app.tenant_id', true), ''))";
export const currentTenant = sql.raw(CURRENT_TENANT_SQL);

/** The one policy of docs/architecture.md §3, on the column that names the customer. */
export function tenantPolicy(name: string, column = "tenant_id") {
  const matches = sql`${sql.identifier(column)} = ${currentTenant}`;
  return pgPolicy(name, { as: "permissive", for: "all", using: matches, withCheck: matches });
}

export const customerStatuses = [
  "trial",
  "expired",
  "active",
  "suspended",
  "offboarding",
  "deleted",
  "erased",
] as const;

/** Plans and their limits (docs/architecture.md §5); global reference data, readable by every tenant. */
export const plans = control.table("plans", {
  name: text("name").primaryKey(),
  displayName: text("display_name").notNull(),
  position: integer("position").notNull(),
  maxUsers: integer("max_users").notNull(),
  maxRows: bigint("max_rows", { mode: "number" }).notNull(),
  maxStorageBytes: bigint("max_storage_bytes", { mode: "number" }).notNull(),
  maxApiCallsMonth: bigint("max_api_calls_month", { mode: "number" }).notNull(),
  rateLimitPerMinute: integer("rate_limit_per_minute").notNull(),
  /** API calls a month may exceed the limit by this share (in percent) before they are refused. */
  apiCallsSoftMarginPercent: integer("api_calls_soft_margin_percent").notNull().default(0),
  /** Where a new customer of the plan is placed: a shared or a dedicated database (§13). */
  placement: text("placement", { enum: ["shared", "dedicated"] })
    .notNull()
    .default("shared"),
});
export type Plan = typeof plans.$inferSelect;

export const databaseKinds = ["shared", "dedicated"] as const;
export const databaseStatuses = ["active", "draining", "offline"] as const;

/**
 * The registry of data-plane databases (docs/architecture.md §13): each customer's data plane
 * lives in one of them. A database's connection comes from the environment variable it names
 * (the owner's URL; the app's login is derived from it as for DATABASE_URL): no secret is ever
 * stored in a table. `primary` is this database, the control plane's, under DATABASE_URL.
 */
export const databases = control.table(
  "databases",
  {
    name: text("name").primaryKey(),
    kind: text("kind", { enum: databaseKinds }).notNull(),
    status: text("status", { enum: databaseStatuses }).notNull().default("active"),
    envVar: text("env_var").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("databases_name_format", sql`${t.name} ~ '^[a-z][a-z0-9_-]{0,39}$'`),
    check("databases_kind_valid", sql`${t.kind} in ('shared','dedicated')`),
    check("databases_status_valid", sql`${t.status} in ('active','draining','offline')`),
    check("databases_env_var_format", sql`${t.envVar} ~ '^[A-Z_][A-Z0-9_]{0,63}$'`),
  ],
);

export const customers = control.table(
  "customers",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    status: text("status", { enum: customerStatuses }).notNull().default("trial"),
    plan: text("plan")
      .notNull()
      .default("free")
      .references(() => plans.name),
    /** Per-customer limits that replace the plan's: { maxUsers?, maxRows?, … }. */
    quotaOverrides: jsonb("quota_overrides").notNull().default({}),
    contactEmail: text("contact_email").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    trialEndsAt: timestamp("trial_ends_at", { withTimezone: true }),
    settings: jsonb("settings").notNull().default({}),
    /** Bumped by every edit: an edit based on an older version is refused, not applied. */
    version: integer("version").notNull().default(1),
    /** The registered database that holds the customer's data plane. */
    database: text("database")
      .notNull()
      .default("primary")
      .references(() => databases.name),
    /** The customer's users must sign in with a second factor (its admins decide). */
    requireTwoFactor: boolean("require_two_factor").notNull().default(false),
    /** Its memberships, kept by a trigger on control.memberships (the list sorts by it). */
    userCount: integer("user_count").notNull().default(0),
  },
  (t) => [
    check(
      "customers_id_format",
      sql`${t.id} ~ '^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{9}$' or ${t.id} = 'LEGACY001'`,
    ),
    check(
      "customers_status_valid",
      sql`${t.status} in ('trial','expired','active','suspended','offboarding','deleted','erased')`,
    ),
    // The list's keyset paging (lib/customers/queries.ts): one index per sort key ending in the
    // ID, and the default sort under each filter.
    // The name's indexes are migration 0049's: (lower(name) collate "C", id), and the same under
    // status and under plan. Each includes every column the list shows, so a name search and a
    // filtered sort by name read only an index. drizzle cannot declare INCLUDE.
    index("customers_status_id_idx").on(t.status, t.id),
    index("customers_plan_id_idx").on(t.plan, t.id),
    index("customers_users_id_idx").on(t.userCount, t.id),
    index("customers_created_id_idx").on(t.createdAt, t.id),
    index("customers_status_created_id_idx").on(t.status, t.createdAt, t.id),
    index("customers_plan_created_id_idx").on(t.plan, t.createdAt, t.id),
    // The customers placed on a database, counted up to a bound (lib/placement/queries.ts): a
    // small database's are found without reading every customer's row.
    index("customers_database_idx").on(t.database),
    tenantPolicy("customers_tenant_isolation", "id"),
  ],
);
export type Customer = typeof customers.$inferSelect;
export type NewCustomer = typeof customers.$inferInsert;

/**
 * A user's membership in the current customer (memberships are tenant-isolated), for the users'
 * policies. A scalar subquery, at most one row by memberships_user_key: it is evaluated per user
 * read, by that index. `exists` let the planner hash the customer's every membership instead
 * whenever a read might pass many users, as a page walking users_email_key from its cursor
 * does: a page cost as much as the customer's size.
 */
function throughMembership(user: AnyPgColumn) {
  return sql`coalesce((select true from control.memberships m where m.user_id = ${user}), false)`;
}

export const users = control.table(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    // The address as it is looked up and sorted: a column, not lower(email) in each query, since
    // lower() is not leakproof: under a customer's policies no index on lower(email) serves it.
    emailKey: text("email_key")
      .notNull()
      .generatedAlwaysAs(sql`lower(email)`),
    passwordHash: text("password_hash"),
    displayName: text("display_name").notNull(),
    platformRole: text("platform_role", { enum: ["super_admin"] }),
    status: text("status", { enum: ["active", "disabled"] })
      .notNull()
      .default("active"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.emailKey),
    // The few super-admins among millions of users (the Super-admins page).
    index("users_platform_role_idx")
      .on(t.email)
      .where(sql`${t.platformRole} is not null`),
    check(
      "users_platform_role_valid",
      sql`${t.platformRole} is null or ${t.platformRole} = 'super_admin'`,
    ),
    check("users_status_valid", sql`${t.status} in ('active','disabled')`),
    // A customer's users are visible inside its tenant context through their membership;
    // the membership table is itself tenant-isolated, so this sees only the current tenant's.
    pgPolicy("users_visible_through_membership", {
      as: "permissive",
      for: "select",
      to: tenantRole,
      using: throughMembership(t.id),
    }),
    // …and a customer admin removing one of their users deletes the account with it.
    pgPolicy("users_deletable_through_membership", {
      as: "permissive",
      for: "delete",
      to: tenantRole,
      using: throughMembership(t.id),
    }),
  ],
);
export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;

export const membershipRoles = ["admin", "member"] as const;

export const memberships = control.table(
  "memberships",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => customers.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: membershipRoles }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId] }),
    // A console user belongs to exactly one customer.
    uniqueIndex("memberships_user_key").on(t.userId),
    check("memberships_role_valid", sql`${t.role} in ('admin','member')`),
    tenantPolicy("memberships_tenant_isolation"),
  ],
);
export type Membership = typeof memberships.$inferSelect;

export const auditOutcomes = ["ok", "denied", "failed"] as const;

export const auditEvents = control.table(
  "audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid("actor_user_id"),
    actorEmail: text("actor_email"),
    actorRole: text("actor_role"),
    actingAs: uuid("acting_as"),
    // NULL for platform events, which no tenant context can see. A customer's ID that exists,
    // checked by a trigger instead of a foreign key (migration 0068): the key's check locked
    // the customer's row for every event.
    tenantId: text("tenant_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    outcome: text("outcome", { enum: auditOutcomes }).notNull(),
    details: jsonb("details").notNull().default({}),
    ip: text("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    // Set by the chaining trigger, never by the app: the position in its chain, the previous
    // event's hash, and this event's hash over its content and that previous hash.
    chainSeq: bigint("chain_seq", { mode: "number" }),
    prevHash: text("prev_hash"),
    hash: text("hash"),
  },
  (t) => [
    // One chain per customer, and one for platform events (no customer): writers of different
    // customers never wait on each other, and each customer's trail verifies on its own.
    uniqueIndex("audit_events_chain_position_key").on(sql`coalesce(${t.tenantId}, '')`, t.chainSeq),
    check("audit_events_outcome_valid", sql`${t.outcome} in ('ok','denied','failed')`),
    index("audit_events_tenant_at_idx").on(t.tenantId, t.at),
    index("audit_events_at_idx").on(t.at),
    tenantPolicy("audit_events_tenant_isolation"),
  ],
);
export type AuditEvent = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;

/** Sign-in attempts, for throttling per email and per IP; read and written only by sign-in. */
export const signInAttempts = control.table(
  "sign_in_attempts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    email: text("email").notNull(),
    ip: text("ip").notNull(),
    succeeded: boolean("succeeded").notNull(),
  },
  (t) => [
    index("sign_in_attempts_email_at_idx").on(t.email, t.at),
    index("sign_in_attempts_ip_at_idx").on(t.ip, t.at),
  ],
);

/** Invitations to a customer's console: single-use, expiring; only the token's hash is kept. */
export const invites = control.table(
  "invites",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => customers.id),
    email: text("email").notNull(),
    role: text("role", { enum: membershipRoles }).notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    // Set when a super-admin created it while switched in: listed on that switch's record.
    switchId: uuid("switch_id").references((): AnyPgColumn => switches.id),
  },
  (t) => [
    uniqueIndex("invites_token_hash_key").on(t.tokenHash),
    index("invites_tenant_created_idx").on(t.tenantId, t.createdAt),
    // The open ones (neither accepted nor withdrawn): a customer's page of them newest first, as
    // a range on expiry, and the check for one to an address, without reading its history.
    index("invites_open_expires_idx")
      .on(t.tenantId, t.expiresAt, t.id)
      .where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null`),
    index("invites_open_email_idx")
      .on(t.tenantId, t.email)
      .where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null`),
    check("invites_role_valid", sql`${t.role} in ('admin','member')`),
    tenantPolicy("invites_tenant_isolation"),
  ],
);
export type Invite = typeof invites.$inferSelect;

/**
 * The head of each audit hash chain — keyed by customer ID, '' for platform events — and the
 * anchor left there by retention (docs/architecture.md §7).
 */
export const auditChain = control.table("audit_chain", {
  chain: text("chain").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  lastHash: text("last_hash"),
  /** The latest event's time in the chain, kept by the sealer: a customer's last activity. */
  lastAt: timestamp("last_at", { withTimezone: true }),
  anchorSeq: bigint("anchor_seq", { mode: "number" }).notNull().default(0),
  anchorHash: text("anchor_hash"),
});

/**
 * Each chain's events per day (UTC), kept by the sealer as it seals them (migration 0081): a
 * customer's audited actions in 30 days without reading 30 days of events. Days are kept while
 * a 30-day window can reach them.
 */
export const auditDaily = control.table(
  "audit_daily",
  {
    day: date("day", { mode: "string" }).notNull(),
    chain: text("chain").notNull(),
    events: bigint("events", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.chain] })],
);

export const switchModes = ["read", "write"] as const;

/** A super-admin inside one customer's context: reasoned, time-boxed, visible to the customer. */
export const switches = control.table(
  "switches",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    superAdminId: uuid("super_admin_id")
      .notNull()
      .references(() => users.id),
    // Kept on the row: the customer sees who accessed it, and cannot read platform users.
    superAdminEmail: text("super_admin_email").notNull(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => customers.id),
    reason: text("reason").notNull(),
    mode: text("mode", { enum: switchModes }).notNull().default("read"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    endedByEmail: text("ended_by_email"),
    endReason: text("end_reason"),
  },
  (t) => [
    uniqueIndex("switches_one_open_per_admin")
      .on(t.superAdminId)
      .where(sql`${t.endedAt} is null`),
    index("switches_tenant_started_idx").on(t.tenantId, t.startedAt),
    check("switches_reason_length", sql`length(${t.reason}) >= 10`),
    check("switches_mode_valid", sql`${t.mode} in ('read','write')`),
    check(
      "switches_at_most_four_hours",
      sql`${t.expiresAt} > ${t.startedAt} and ${t.expiresAt} <= ${t.startedAt} + interval '4 hours'`,
    ),
    tenantPolicy("switches_tenant_isolation"),
  ],
);
export type Switch = typeof switches.$inferSelect;

/**
 * The names of the usage figures, each with its place in a snapshot's array: a metric's name is
 * stored once here, not in every snapshot. Places are never reused; a metric a run does not
 * have (a dropped table's) is NULL there, which costs a bit.
 */
export const usageMetrics = control.table("usage_metrics", {
  id: integer("id").primaryKey(),
  name: text("name").notNull().unique(),
});

/**
 * One customer's figures as a snapshot run found them changed (docs/architecture.md §8):
 * `figures[m.id]` is the value of usage_metrics `m`, 8 bytes a figure (`figureOf` in
 * lib/usage/queries.ts reads one). A run writes only the customers whose figures differ from
 * their latest row, so a customer's figures at a moment are its latest row at or before it.
 * Older rows are rolled up: every one for 2 days, the last of each hour for 90, then the last of
 * each day, so the table grows with the customers that change, not with customers × runs.
 */
export const usageSnapshots = control.table(
  "usage_snapshots",
  {
    runId: uuid("run_id").notNull(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    takenAt: timestamp("taken_at", { withTimezone: true }).notNull(),
    figures: bigint("figures", { mode: "number" }).array().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.tenantId] }),
    index("usage_snapshots_tenant_taken_idx").on(t.tenantId, t.takenAt),
    tenantPolicy("usage_snapshots_tenant_isolation"),
  ],
);

/**
 * Each customer's rows (rows.total) as of its latest snapshot, kept by the snapshot beside the
 * rows it writes: a move queue finds the customers from its threshold up through the index,
 * instead of looking up every customer's latest snapshot.
 */
export const usageSizes = control.table(
  "usage_sizes",
  {
    tenantId: text("tenant_id")
      .primaryKey()
      .references(() => customers.id, { onDelete: "cascade" }),
    takenAt: timestamp("taken_at", { withTimezone: true }).notNull(),
    rows: bigint("rows", { mode: "number" }),
  },
  (t) => [
    index("usage_sizes_rows_idx").on(t.rows, t.tenantId),
    tenantPolicy("usage_sizes_tenant_isolation"),
  ],
);

/** The snapshot runs themselves: when, what started them, how long they took. */
export const usageRuns = control.table(
  "usage_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    trigger: text("trigger", { enum: ["command", "refresh", "periodic"] }).notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull(),
    customers: integer("customers").notNull(),
    /** The customers whose figures had changed since their latest row: the rows it wrote. */
    changed: integer("changed"),
    figures: integer("figures").notNull(),
    scopedTables: integer("scoped_tables").notNull(),
    /** The overview's figures of this run, worked out once by the snapshot (lib/usage/queries.ts). */
    summary: jsonb("summary"),
    /** The bytes a row of each scoped table the run shared storage out by ("rows.<schema>.<table>"). */
    storageBasis: jsonb("storage_basis"),
  },
  (t) => [index("usage_runs_started_idx").on(t.startedAt)],
);

/**
 * One export at a time per user, across every instance of the console (lib/audit/export.ts): a
 * lease that the export renews while it runs, so that one whose process died frees its user
 * once the lease runs out.
 */
export const exportSlots = control.table("export_slots", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  token: uuid("token").notNull(),
  heldUntil: timestamp("held_until", { withTimezone: true }).notNull(),
});

/** When a background job last finished (the counts' reconcile), so a restart does not redo it early. */
export const jobRuns = control.table("job_runs", {
  job: text("job").primaryKey(),
  finishedAt: timestamp("finished_at", { withTimezone: true }).notNull(),
});

/**
 * Adoption runs (docs/architecture.md §9): what ran, how it ended, and for a failure where and why. An adopt
 * run keeps the catalog it started from, which its revert restores; every run that checks the
 * schema (adopt, revert, verify) keeps the verification report it ended with.
 */
export const adoptionRuns = control.table(
  "adoption_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    schemaName: text("schema_name").notNull(),
    kind: text("kind", { enum: ["adopt", "revert", "verify"] }).notNull(),
    status: text("status", { enum: ["running", "succeeded", "failed"] }).notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    options: jsonb("options").notNull().default({}),
    failedStep: text("failed_step"),
    error: text("error"),
    instructions: text("instructions"),
    beforeCatalog: jsonb("before_catalog"),
    report: jsonb("report"),
  },
  (t) => [index("adoption_runs_schema_started_idx").on(t.schemaName, t.startedAt)],
);

/** Each step of a run as it happens, written on its own connection so a dashboard sees it live. */
export const adoptionSteps = control.table(
  "adoption_steps",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    runId: uuid("run_id")
      .notNull()
      .references(() => adoptionRuns.id, { onDelete: "cascade" }),
    step: text("step").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    ms: integer("ms"),
    outcome: text("outcome", { enum: ["running", "ok", "failed", "rolled back"] }).notNull(),
  },
  (t) => [index("adoption_steps_run_idx").on(t.runId, t.id)],
);

/**
 * Every export of a customer's data (docs/architecture.md §12): when, by whom, and the archive's
 * SHA-256. An erase requires a recent one, and its certificate names it.
 */
export const customerExports = control.table(
  "customer_exports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => customers.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    createdBy: text("created_by").notNull(),
    sha256: text("sha256").notNull(),
    rows: bigint("rows", { mode: "number" }).notNull(),
    tables: integer("tables").notNull(),
  },
  (t) => [
    index("customer_exports_tenant_created_idx").on(t.tenantId, t.createdAt),
    tenantPolicy("customer_exports_tenant_isolation", "tenant_id"),
  ],
);

/** The certificate of a customer's erasure: what was there, what is left (nothing), who, when. */
export const erasures = control.table(
  "erasures",
  {
    tenantId: text("tenant_id")
      .primaryKey()
      .references(() => customers.id),
    erasedAt: timestamp("erased_at", { withTimezone: true }).notNull().defaultNow(),
    erasedBy: text("erased_by").notNull(),
    certificate: jsonb("certificate").notNull(),
  },
  () => [tenantPolicy("erasures_tenant_isolation", "tenant_id")],
);

/**
 * Long work on a customer's data as a unit (docs/architecture.md §12): each export, backup,
 * restore and erase, with its step and per-table progress written live from a connection of
 * its own, so the customer's page can watch it, and how it ended.
 */
export const dataJobs = control.table(
  "data_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // No foreign key: a restore records its job before it creates the customer it restores.
    tenantId: text("tenant_id").notNull(),
    kind: text("kind", { enum: ["export", "backup", "restore", "erase"] }).notNull(),
    status: text("status", { enum: ["running", "succeeded", "failed"] })
      .notNull()
      .default("running"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    /** Written with every progress update: a running job whose process died stops moving. */
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    startedBy: text("started_by").notNull(),
    step: text("step").notNull().default("starting"),
    /** Per table, in the order the job takes them: `{ table, rows, of, state }`. */
    progress: jsonb("progress").notNull().default([]),
    error: text("error"),
  },
  (t) => [
    check("data_jobs_kind_valid", sql`${t.kind} in ('export','backup','restore','erase')`),
    check("data_jobs_status_valid", sql`${t.status} in ('running','succeeded','failed')`),
    index("data_jobs_tenant_started_idx").on(t.tenantId, t.startedAt),
    tenantPolicy("data_jobs_tenant_isolation", "tenant_id"),
  ],
);

/**
 * A customer's move from one registered database to another (docs/architecture.md §13): its
 * phases as they ran (`steps`), per-table progress, how long the customer's writes were held,
 * and how it ended. One running move per customer.
 */
export const moves = control.table(
  "moves",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id").notNull(),
    source: text("source").notNull(),
    target: text("target").notNull(),
    mode: text("mode", { enum: ["offline", "online"] }).notNull(),
    status: text("status", { enum: ["running", "succeeded", "failed"] })
      .notNull()
      .default("running"),
    /** The phase in progress, or the one it failed in. */
    phase: text("phase").notNull().default("prepare"),
    /** True once the placement points at the target: from then on the move can only go forward. */
    flipped: boolean("flipped").notNull().default(false),
    /** The target held the customer as departed (an earlier move away): a rollback restores it. */
    targetWasDeparted: boolean("target_was_departed").notNull().default(false),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    startedBy: text("started_by").notNull(),
    /** `[{ phase, startedAt, ms, outcome }]`. */
    steps: jsonb("steps").notNull().default([]),
    /** `[{ table, rows, of, state }]`, as data jobs have it. */
    progress: jsonb("progress").notNull().default([]),
    freezeMs: integer("freeze_ms"),
    /** While the customer's writes are held: since when (the page's freeze timer). */
    frozenAt: timestamp("frozen_at", { withTimezone: true }),
    /** An online move's replication lag as last seen, in bytes of the source's WAL. */
    lagBytes: bigint("lag_bytes", { mode: "number" }),
    /** Who asked to roll the move back; the move stops at its next step (before the flip only). */
    cancelRequestedBy: text("cancel_requested_by"),
    /** After the flip, the source's rows wait until then (a grace period), or a confirmation. */
    cleanupAfter: timestamp("cleanup_after", { withTimezone: true }),
    /** When the source's rows were deleted; null while they wait. */
    cleanedAt: timestamp("cleaned_at", { withTimezone: true }),
    error: text("error"),
  },
  (t) => [
    check("moves_mode_valid", sql`${t.mode} in ('offline','online')`),
    check("moves_status_valid", sql`${t.status} in ('running','succeeded','failed')`),
    uniqueIndex("moves_one_running_per_customer")
      .on(t.tenantId)
      .where(sql`${t.status} = 'running'`),
    index("moves_started_idx").on(t.startedAt),
    index("moves_cleanup_due_idx")
      .on(t.cleanupAfter)
      .where(sql`${t.cleanedAt} is null and ${t.cleanupAfter} is not null`),
    tenantPolicy("moves_tenant_isolation", "tenant_id"),
  ],
);

/**
 * A gradual migration (docs/architecture.md §13): the customers of the shared databases whose
 * rows reach `thresholdRows` move to `target`, smallest first, one at a time, each an ordinary
 * recorded move; a paused queue starts no further move.
 */
export const moveQueues = control.table(
  "move_queues",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    target: text("target")
      .notNull()
      .references(() => databases.name),
    thresholdRows: bigint("threshold_rows", { mode: "number" }).notNull(),
    status: text("status", { enum: ["running", "paused", "done"] })
      .notNull()
      .default("running"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    createdBy: text("created_by").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("move_queues_status_valid", sql`${t.status} in ('running','paused','done')`),
    check("move_queues_threshold_positive", sql`${t.thresholdRows} > 0`),
  ],
);

/** Scheduled backups of each customer (docs/architecture.md §12): the archive, checked when made. */
export const backups = control.table(
  "backups",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => customers.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    file: text("file").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    rows: bigint("rows", { mode: "number" }).notNull(),
    /** Whether re-reading the archive found every file's rows and checksum as its manifest says. */
    verified: boolean("verified").notNull(),
    error: text("error"),
  },
  (t) => [
    index("backups_tenant_created_idx").on(t.tenantId, t.createdAt),
    tenantPolicy("backups_tenant_isolation", "tenant_id"),
  ],
);

/**
 * API keys (docs/architecture.md §14): a customer's, or, without a customer, a super-admin's
 * platform token. The key is shown once: `prefix` (its public handle, `tnt_…`) and a 256-bit
 * secret of which only the SHA-256 is kept. A revoked or expired key fails at the next request.
 */
export const apiKeys = control.table(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The customer whose data the key reads and writes; null for a platform token. */
    tenantId: text("tenant_id").references(() => customers.id),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    secretHash: text("secret_hash").notNull(),
    scopes: text("scopes").array().notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: text("revoked_by"),
  },
  (t) => [
    uniqueIndex("api_keys_prefix_key").on(t.prefix),
    index("api_keys_tenant_idx").on(t.tenantId, t.createdAt),
    check(
      "api_keys_scopes_known",
      sql`${t.scopes} <@ array['usage:read','usage:write','customer:read','platform:read']`,
    ),
    // A customer's key never carries the platform scope; a platform token carries only it.
    check(
      "api_keys_platform_scope",
      sql`(${t.tenantId} is null) = (${t.scopes} = array['platform:read'])`,
    ),
    tenantPolicy("api_keys_tenant_isolation", "tenant_id"),
  ],
);

/**
 * Token buckets of the API's rate limits (docs/architecture.md §14), one per customer and one
 * per key or user, shared by every app instance: a request takes a token in one statement.
 */
export const rateBuckets = control.table("rate_buckets", {
  key: text("key").primaryKey(),
  capacity: integer("capacity").notNull(),
  perSecond: doublePrecision("per_second").notNull(),
  tokens: doublePrecision("tokens").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  allowed: boolean("allowed").notNull().default(true),
});

/** API calls per customer per calendar month (UTC), counted as they are let through. */
export const apiCalls = control.table(
  "api_calls",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => customers.id),
    month: text("month").notNull(),
    calls: bigint("calls", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.month] }),
    tenantPolicy("api_calls_tenant_isolation", "tenant_id"),
  ],
);

/** Metered usage events sent through the API, idempotent by the sender's event ID. */
export const usageEvents = control.table(
  "usage_events",
  {
    tenantId: text("tenant_id")
      .notNull()
      .default(sql`current_setting('app.tenant_id')`)
      .references(() => customers.id),
    eventId: text("event_id").notNull(),
    kind: text("kind").notNull(),
    quantity: bigint("quantity", { mode: "number" }).notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    keyId: uuid("key_id"),
  },
  (t) => [
    // A month's events are read from usage_event_totals, never by a range of occurred_at.
    primaryKey({ columns: [t.tenantId, t.eventId] }),
    tenantPolicy("usage_events_tenant_isolation", "tenant_id"),
  ],
);

/**
 * Each customer's metered events per calendar month (UTC, "YYYY-MM") and kind, kept by
 * statement-level triggers on usage_events (migration 0077), so this month's figures are a few
 * rows however many events the customer sends.
 */
export const usageEventTotals = control.table(
  "usage_event_totals",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => customers.id),
    month: text("month").notNull(),
    kind: text("kind").notNull(),
    events: bigint("events", { mode: "number" }).notNull(),
    quantity: bigint("quantity", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.month, t.kind] }),
    tenantPolicy("usage_event_totals_tenant_isolation", "tenant_id"),
  ],
);

export const alertKinds = ["cross-tenant", "quota", "trial", "failure", "guard", "slot"] as const;

/**
 * Alerts for super-admins (docs/architecture.md §15): what happened, about which customer if
 * any, until acknowledged. One open alert per `dedupeKey`: a burst raises one, not a thousand.
 */
export const alerts = control.table(
  "alerts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind", { enum: alertKinds }).notNull(),
    tenantId: text("tenant_id").references(() => customers.id),
    dedupeKey: text("dedupe_key").notNull(),
    summary: text("summary").notNull(),
    details: jsonb("details").notNull().default({}),
    raisedAt: timestamp("raised_at", { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    acknowledgedBy: text("acknowledged_by"),
  },
  (t) => [
    check(
      "alerts_kind_valid",
      sql`${t.kind} in ('cross-tenant','quota','trial','failure','guard','slot')`,
    ),
    uniqueIndex("alerts_one_open_per_key")
      .on(t.dedupeKey)
      .where(sql`${t.acknowledgedAt} is null`),
    index("alerts_raised_idx").on(t.raisedAt),
    tenantPolicy("alerts_tenant_isolation", "tenant_id"),
  ],
);

/** Each alert's delivery to the webhook (ALERT_WEBHOOK_URL): its attempts, until delivered. */
export const alertDeliveries = control.table("alert_deliveries", {
  alertId: uuid("alert_id")
    .primaryKey()
    .references(() => alerts.id),
  attempts: integer("attempts").notNull().default(0),
  nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
  deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  /** `[{ at, status, error }]`, one per attempt. */
  log: jsonb("log").notNull().default([]),
});

/**
 * A user's second factor (docs/architecture.md §16): the TOTP secret sealed with
 * TOTP_ENCRYPTION_KEY, pending until a first code confirms it; the last time step a code was
 * accepted at (no code works twice); the SHA-256 of each unused recovery code. Only the system
 * door reads it: no tenant context sees a secret, sealed or not.
 */
export const twoFactor = control.table("two_factor", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secret: text("secret").notNull(),
  enabledAt: timestamp("enabled_at", { withTimezone: true }),
  lastStep: bigint("last_step", { mode: "number" }),
  recoveryCodes: text("recovery_codes")
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A signed-in browser (docs/architecture.md §16): made at sign-in, named in its JWT, checked
 * on every request. Ended by signing out, by the user or an admin, by a password reset, by
 * suspension (triggers), or by idling past its timeout. `tenant_id` is the user's customer
 * (null for super-admins): a customer's admins see their own users' sessions only.
 */
export const sessions = control.table(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tenantId: text("tenant_id").references(() => customers.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    ip: text("ip").notNull(),
    userAgent: text("user_agent").notNull(),
    /** Signed in with a second factor (or enrolled in one during the session). */
    twoFactor: boolean("two_factor").notNull().default(false),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    endReason: text("end_reason"),
  },
  (t) => [
    index("sessions_user_idx").on(t.userId, t.createdAt),
    index("sessions_tenant_idx").on(t.tenantId, t.createdAt),
    tenantPolicy("sessions_tenant_isolation", "tenant_id"),
  ],
);

/** Password reset links: single-use, valid one hour; only the token's hash is kept. */
export const passwordResets = control.table(
  "password_resets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The user's customer (null for a super-admin): its admins issue links for its users only. */
    tenantId: text("tenant_id").references(() => customers.id),
    tokenHash: text("token_hash").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("password_resets_token_hash_key").on(t.tokenHash),
    index("password_resets_user_idx").on(t.userId),
    tenantPolicy("password_resets_tenant_isolation", "tenant_id"),
  ],
);
