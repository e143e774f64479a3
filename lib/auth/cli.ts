// npm run auth -- create-admin --email you@example.com [--name "Your Name"] [--password-stdin]
// (also `npm run admin:create -- --email …`). Creates the first (or another) super-admin on the
// database in DATABASE_URL, audited. Without --password-stdin a strong password is generated
// and printed once.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { closeDatabase, withSystem } from "@/db/tenant";
import { insertSuperAdmin } from "./super-admins";

const USAGE =
  'Usage: npm run auth -- create-admin --email you@example.com [--name "Your Name"] [--password-stdin]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: "string" },
    name: { type: "string" },
    "password-stdin": { type: "boolean" },
  },
});
const email = z.email().safeParse(values.email?.trim());
if (positionals.length !== 1 || positionals[0] !== "create-admin" || !email.success) {
  console.error(USAGE);
  process.exit(2);
}

let password = randomBytes(18).toString("base64url");
if (values["password-stdin"]) {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  password = Buffer.concat(chunks).toString("utf8").trim();
  if (password.length < 12) {
    console.error("The password must have at least 12 characters.");
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
