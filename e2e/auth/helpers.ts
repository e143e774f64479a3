import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, type BrowserContext, type Cookie, type Page } from "@playwright/test";
import { generate } from "otplib";
import { E2E_SUPER_ADMIN_TOTP_SECRET } from "./secrets";

export const DEMO_PASSWORD = "tenantry-demo";
export const SUPER_ADMIN = "admin@tenantry.local";
export const CUSTOMER_ADMIN = "admin@northwind.example";
export const CUSTOMER_MEMBER = "member@northwind.example";

const STEP_SECONDS = 30;

/**
 * What the run knows of each account with a second factor, per console (its base URL): the TOTP
 * secret, the last time step a code was used at (a code works once, so each sign-in waits for
 * an unused step), and the session cookies of its last sign-in, which later specs reuse as a
 * browser that stays signed in would. Kept in a file, so a restarted worker knows it too.
 */
interface Known {
  secret: string;
  lastStep: number;
  cookies?: Cookie[];
}
export const stateFile = path.join(
  os.tmpdir(),
  `${process.env.E2E_DATABASE ?? "tenantry-e2e"}-accounts.json`,
);

function load(): Record<string, Known> {
  return existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, "utf8")) : {};
}

/**
 * The account on the console the page is open on; `console` names it instead when one console's
 * database is served on several ports over a spec (a restarted `npm start`).
 */
function keyOf(page: Page, email: string, console?: string): string {
  return `${console ?? new URL(page.url()).origin} ${email}`;
}

function known(key: string, email: string): Known | undefined {
  const state = load();
  if (state[key]) return state[key];
  // The main e2e console's super-admin, enrolled by e2e/serve.ts.
  if (email === SUPER_ADMIN && key.includes(`:${process.env.E2E_PORT ?? 3210} `))
    return { secret: E2E_SUPER_ADMIN_TOTP_SECRET, lastStep: 0 };
  return undefined;
}

function remember(key: string, value: Known) {
  writeFileSync(stateFile, JSON.stringify({ ...load(), [key]: value }));
}

/** A code of a time step no sign-in has used yet, waiting for the next step when needed. */
export async function freshCode(
  secret: string,
  lastStep: number,
): Promise<{ code: string; step: number }> {
  for (;;) {
    const seconds = Date.now() / 1000;
    const now = Math.floor(seconds / STEP_SECONDS);
    // The server takes a step either side of its clock: the one before only while this step has
    // ten seconds left (its clock must not pass into the next before the code arrives).
    const earliest = seconds - now * STEP_SECONDS < STEP_SECONDS - 10 ? now - 1 : now;
    const step = Math.max(earliest, lastStep + 1);
    if (step <= now + 1)
      return { code: await generate({ secret, epoch: step * STEP_SECONDS }), step };
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Enters a fresh code into the field labelled `label`, and notes its step as used. */
export async function enterCode(
  page: Page,
  email: string,
  label: string | RegExp,
  console?: string,
) {
  const key = keyOf(page, email, console);
  const account = known(key, email);
  if (!account) throw new Error(`no second factor known for ${email}`);
  const { code, step } = await freshCode(account.secret, account.lastStep);
  remember(key, { ...account, lastStep: step });
  await page.getByLabel(label).fill(code);
}

/**
 * Signs in through the form. An account with a second factor gets a fresh code; a super-admin
 * without one is sent to set it up, and does, as a user would (the secret read off the page). A
 * super-admin's session is reused by later calls while it is open, unless `fresh`.
 */
export async function signIn(
  page: Page,
  email: string,
  password = DEMO_PASSWORD,
  options: { fresh?: boolean; console?: string } = {},
) {
  await page.goto("/sign-in");
  const key = keyOf(page, email, options.console);
  const reused = !options.fresh && known(key, email)?.cookies;
  if (reused) {
    await page.context().addCookies(reused);
    await page.goto("/");
    if (!new URL(page.url()).pathname.startsWith("/sign-in")) {
      await expect(page.getByTestId("signed-in-as")).toContainText(email);
      return;
    }
  }
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const codeField = page.getByLabel("Code from your authenticator app");
  await expect(page.getByTestId("signed-in-as").or(codeField)).toBeVisible();
  if (await codeField.isVisible()) {
    await enterCode(page, email, "Code from your authenticator app", options.console);
    await page.getByRole("button", { name: "Verify" }).click();
  }
  await expect(page.getByTestId("signed-in-as")).toContainText(email);
  // The shell shows who is signed in before the page under it has rendered (or sent a user who
  // must enrol on to /account): wait for the page's own heading before asking what it offers.
  await expect(page.getByRole("main").getByRole("heading", { level: 1 })).toBeVisible();
  if (await page.getByRole("button", { name: "Set up two-factor" }).isVisible()) {
    await enrol(page, email, options.console);
  }
  const account = known(key, email);
  if (account) remember(key, { ...account, cookies: await sessionCookies(page.context()) });
}

/** Sets up two-factor on the account page, as a user with an authenticator app would. */
export async function enrol(page: Page, email: string, console?: string): Promise<string[]> {
  await page.getByRole("button", { name: "Set up two-factor" }).click();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  const key = keyOf(page, email, console);
  remember(key, { secret, lastStep: 0 });
  await enterCode(page, email, "Code from your authenticator app", console);
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(codes).toHaveCount(10);
  const recovery = await codes.allTextContents();
  await page.getByRole("link", { name: "Continue to the console" }).click();
  return recovery;
}

async function sessionCookies(context: BrowserContext): Promise<Cookie[]> {
  return (await context.cookies()).filter((c) => c.name.includes("next-auth"));
}
