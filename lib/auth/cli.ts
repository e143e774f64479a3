// npm run auth -- create-admin --email you@example.com [--name "Your Name"] [--password-stdin]
// (also `npm run admin:create -- --email …`). Creates the first (or another) super-admin on the
// database in DATABASE_URL, audited. Without --password-stdin a strong password is generated
// and printed once.
// npm run auth -- reset-link --email …: a password reset link for any account (a super-admin
// locked out with no other to help), valid one hour, printed once; audited.
// npm run auth -- two-factor-off --email …: removes an account's second factor (a lost device
// and lost recovery codes); a super-admin enrols again at the next sign-in; audited.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { closeDatabase, withSystem, type Tx } from "@/db/tenant";
import { insertAuditEvent } from "@/lib/audit/record";
import { issueReset } from "./resets";
import { passwordProblem } from "./password-rules";
import { insertSuperAdmin } from "./super-admins";
import { removeTwoFactor } from "./two-factor";
import { findAccount } from "@/lib/users/queries";

const USAGE = `Usage: npm run auth -- create-admin --email you@example.com [--name "Your Name"] [--password-stdin]
       npm run auth -- reset-link --email someone@example.com
       npm run auth -- two-factor-off --email someone@example.com`;
const COMMANDS = ["create-admin", "reset-link", "two-factor-off"];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: "string" },
    name: { type: "string" },
    "password-stdin": { type: "boolean" },
  },
});
const email = z.email().safeParse(values.email?.trim());
if (positionals.length !== 1 || !COMMANDS.includes(positionals[0]) || !email.success) {
  console.error(USAGE);
  process.exit(2);
}
const command = positionals[0];

/** The account an operator names, with its customer (none for a super-admin). */
async function account(tx: Tx, address: string) {
  const user = await findAccount(tx, { email: address });
  if (!user) throw new Error(`no account has the address ${address}`);
  return user;
}

if (command !== "create-admin") {
  try {
    await withSystem("account", async (tx) => {
      const user = await account(tx, email.data);
      if (command === "reset-link") {
        const base = process.env.NEXTAUTH_URL ?? "http://localhost:3000";
        const reset = await issueReset(tx, user, "npm run auth", {
          link: async (path) => new URL(path, base).toString(),
        });
        console.log(`Reset link for ${user.email} (shown once, valid 1 hour): ${reset.link}`);
      } else {
        if (!(await removeTwoFactor(tx, user.id)))
          throw new Error(`${user.email} has no second factor`);
        console.log(`Two-factor removed from ${user.email}.`);
      }
      await insertAuditEvent(tx, {
        actorRole: "system",
        actorEmail: "npm run auth",
        tenantId: user.tenantId,
        action: command === "reset-link" ? "passwords.reset-link" : "two-factor.remove",
        targetType: "user",
        targetId: user.id,
        outcome: "ok",
        details: { email: user.email, via: `npm run auth -- ${command}` },
      });
    });
  } catch (error) {
    console.error(`Could not ${command.replace("-", " ")}: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    await closeDatabase();
  }
  process.exit();
}

let password = randomBytes(18).toString("base64url");
if (values["password-stdin"]) {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  password = Buffer.concat(chunks).toString("utf8").trim();
  const problem = passwordProblem(password, email.data);
  if (problem) {
    console.error(problem);
    process.exit(2);
  }
}

try {
  await withSystem("admin-create", (tx) =>
    insertSuperAdmin(tx, {
      email: email.data,
      displayName: values.name ?? "Platform Admin",
      password,
      via: "admin-create",
    }),
  );
  console.log(`Super-admin ${email.data} created.`);
  if (!values["password-stdin"]) console.log(`Password (shown once): ${password}`);
} catch (error) {
  console.error(`Could not create the super-admin: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
