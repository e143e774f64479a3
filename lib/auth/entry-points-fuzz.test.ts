// Fuzzing every entry point (issue #20): each server action and route handler found in the code,
// as each role — signed out, member, customer admin, super-admin, switched in to read and to
// write — with generated malformed input: wrong types, missing and extra fields, 100 kB strings,
// unicode, NUL bytes, other customers' IDs. Never an exception (a 5xx), never an unforeseen
// failure, never a stack trace, never a change to another customer's rows. Only Next's request
// plumbing is stood in for; the database is real. FUZZ_RUNS sets the forms per entry and role.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshTestDatabase } from "@/db/test/fixture";
import type { RequestContext } from "./context";
import {
  ACTORS,
  callRoute,
  changed,
  fingerprints,
  formFor,
  populate,
  restore,
  routeHandlers,
  serverActions,
  showForm,
  STACK,
  userOf,
  QUERY_KEYS,
  type Actor,
  type Population,
} from "./test/entry-points";

const request = vi.hoisted(() => ({ ctx: null as RequestContext | null }));
vi.mock("./context", () => ({ getRequestContext: async () => request.ctx }));
vi.mock("next/headers", async () => (await import("./test/next-plumbing")).nextHeaders("fuzz"));
vi.mock("next/cache", async () => (await import("./test/next-plumbing")).nextCache);
vi.mock("next/navigation", async () => (await import("./test/next-plumbing")).nextNavigation);
vi.mock("next/server", async (original) =>
  (await import("./test/next-plumbing")).nextServer(await original()),
);

process.env.TOTP_ENCRYPTION_KEY = "a test key of at least thirty-two characters";

const { SOMETHING_WENT_WRONG } = await import("./action");
const { resolveContext } = await import("./resolve-context");

const RUNS = Number(process.env.FUZZ_RUNS ?? 10);
/** Each entry's six roles' runs, at up to half a second a call (an export's is the longest). */
const TIMEOUT = Math.max(30_000, RUNS * 6 * 500);
const db = freshTestDatabase();
let p: Population;
const counts = new Map<string, number>();

beforeAll(async () => {
  p = await populate(db.owner);
  // The owner's connection, as the console has it: exports, erasures and adoptions work through it.
  process.env.DATABASE_URL = db.database.ownerUrl;
});
afterAll(() => {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(
    `fuzz: ${total} calls over ${counts.size} entry points (${RUNS} per entry and role):\n` +
      [...counts].map(([id, n]) => `  ${n}\t${id}`).join("\n"),
  );
});

/** Signs in as the actor, freshly resolved from the database, as each request would be. */
async function signIn(actor: Actor) {
  const userId = userOf(p, actor);
  request.ctx = userId ? await resolveContext(userId) : null;
}

/**
 * The customers the actor must never change, and the IDs it is handed (its own and theirs). A
 * super-admin is handed C's only, so A and B stay as they were — but for a refresh of usage,
 * which measures every customer.
 */
function scope(actor: Actor) {
  const foreign =
    actor === "super-admin" ? [p.A, p.B] : actor === "signed out" ? [p.A, p.B, p.C] : [p.B, p.C];
  const ids =
    actor === "super-admin"
      ? [...p.ids[p.C], crypto.randomUUID()]
      : [...p.ids[p.A], ...p.ids[p.B], crypto.randomUUID()];
  return { foreign, ids };
}

const MEASURED_BY_THE_PLATFORM = ["control.usage_snapshots", "control.usage_sizes"];

async function untouched(foreign: string[], work: () => Promise<void>, what: string) {
  const before = await fingerprints(db.owner, foreign);
  await work();
  const after = await fingerprints(db.owner, foreign);
  const platform = what.endsWith("as super-admin");
  for (const tenant of foreign)
    expect(
      changed(before[tenant], after[tenant]).filter(
        (t) => !(platform && MEASURED_BY_THE_PLATFORM.includes(t)),
      ),
      `${what} changed ${tenant}`,
    ).toEqual([]);
}

const bump = (id: string) => counts.set(id, (counts.get(id) ?? 0) + 1);

describe("every server action, as every role, with malformed input", async () => {
  const actions = await serverActions();
  it("finds the actions in the code", () => {
    expect(actions.length).toBeGreaterThan(30);
  });
  for (const entry of actions) {
    it(
      `${entry.id} answers every role with a field error, a sentence or not found`,
      async () => {
        for (const actor of ACTORS) {
          const { foreign, ids } = scope(actor);
          await untouched(
            foreign,
            () =>
              fc.assert(
                fc.asyncProperty(formFor(entry, ids, "hostile"), async (form) => {
                  await signIn(actor);
                  bump(entry.id);
                  let answer: Awaited<ReturnType<typeof entry.call>>;
                  try {
                    answer = await entry.call(null, form);
                  } catch (error) {
                    if ((error as { redirectedTo?: string }).redirectedTo) return;
                    throw new Error(
                      `${actor}: threw ${(error as Error).message} on ${showForm(form)}`,
                    );
                  }
                  const text = JSON.stringify(answer);
                  if (answer && !answer.ok && answer.error === SOMETHING_WENT_WRONG)
                    throw new Error(`${actor}: an unforeseen failure on ${showForm(form)}`);
                  if (STACK.test(text)) throw new Error(`${actor}: leaked ${text.slice(0, 300)}`);
                }),
                { numRuns: RUNS },
              ),
            `${entry.id} as ${actor}`,
          );
          await restore(db.owner, p);
        }
      },
      TIMEOUT,
    );
  }
});

describe("every route handler, as every role, with malformed input", async () => {
  // next-auth's own handler reads Next's request scope itself, which exists only in a running
  // server: it is fuzzed over HTTP (e2e/platform/bad-input-never-answers-5xx.spec.ts).
  const routes = (await routeHandlers()).filter((r) => !r.pattern.startsWith("/api/auth/"));
  it("finds the route handlers in the code", () => {
    expect(routes.length).toBeGreaterThan(8);
  });
  for (const entry of routes) {
    it(
      `${entry.id} answers every role without a 5xx or a stack trace`,
      async () => {
        for (const actor of ACTORS) {
          const { foreign, ids } = scope(actor);
          const value = formFor({ fields: { v: { type: "string" } } }, ids, "hostile").map(
            (form) => form.get("v") ?? "",
          );
          const text = value.map((v) => (typeof v === "string" ? v : "file"));
          const generated = fc.record({
            params: fc.tuple(...entry.params.map(() => text)),
            query: fc.dictionary(fc.constantFrom(...QUERY_KEYS), text, { maxKeys: 4 }),
            body: fc.oneof(
              text,
              fc.jsonValue().map((v) => JSON.stringify(v)),
              fc.constant(JSON.stringify({ events: Array(1_001).fill({ id: "x" }) })),
            ),
            bearer: fc.option(text, { nil: undefined }),
          });
          await untouched(
            foreign,
            () =>
              fc.assert(
                fc.asyncProperty(generated, async ({ params, query, body, bearer }) => {
                  await signIn(actor);
                  bump(entry.id);
                  const response = await callRoute(entry, { params, query, body, bearer });
                  const answer = await response.text();
                  if (response.status >= 500)
                    throw new Error(
                      `${actor}: ${response.status} ${JSON.stringify({ params, query })} ${answer.slice(0, 200)}`,
                    );
                  if (STACK.test(answer))
                    throw new Error(`${actor}: leaked ${answer.slice(0, 300)}`);
                }),
                { numRuns: RUNS },
              ),
            `${entry.id} as ${actor}`,
          );
          await restore(db.owner, p);
        }
      },
      TIMEOUT,
    );
  }
});
