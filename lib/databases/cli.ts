// npm run databases -- add NAME --env VAR [--kind dedicated|shared] | list | sync NAME [--plan]
//                      | remove NAME
// The registry of data-plane databases (docs/architecture.md §13), kept on the primary (the
// database in DATABASE_URL). add: VAR names the environment variable holding the new database's
// owner URL (never the URL itself on a command line); it must answer. sync: makes the data plane
// there from the primary's catalog (--plan: says what it would make, and makes nothing).
// remove: only a database no customer lives on.
import { parseArgs } from "node:util";
import { appUrlOf, ownerUrlOf, PRIMARY_DATABASE } from "@/db/databases";
import {
  addDatabase,
  customerCount,
  listDatabases,
  RegistryError,
  removeDatabase,
} from "./registry";
import { planSync, SyncError, syncDatabase } from "./sync";

const USAGE =
  "Usage: npm run databases -- add NAME --env VAR [--kind dedicated|shared] | list | sync NAME [--plan] | remove NAME";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      env: { type: "string" },
      kind: { type: "string", default: "dedicated" },
      plan: { type: "boolean", default: false },
    },
  });
  const [verb, name] = positionals;
  const ownerUrl = process.env.DATABASE_URL;
  if (!["add", "list", "sync", "remove"].includes(verb) || (!name && verb !== "list")) {
    console.error(USAGE);
    return 2;
  }
  if (!ownerUrl) {
    console.error(
      `databases ${verb} works as the owner: set DATABASE_URL to the primary's owner URL.`,
    );
    return 2;
  }
  if (verb === "list") {
    for (const d of await listDatabases(ownerUrl))
      console.log(
        `${d.name.padEnd(20)} ${d.kind.padEnd(9)} ${d.status.padEnd(8)} ${d.envVar.padEnd(24)} ${customerCount(d)} customers`,
      );
    return 0;
  }
  if (verb === "add") {
    if (!values.env) {
      console.error("add needs --env VAR: the environment variable that holds its owner URL.");
      return 2;
    }
    const added = await addDatabase(ownerUrl, {
      name,
      envVar: values.env,
      kind: values.kind as "shared" | "dedicated",
    });
    console.log(
      `Registered ${added.name} (${added.kind}), reached through ${added.envVar}. Make its data plane with: npm run databases -- sync ${added.name}`,
    );
    return 0;
  }
  if (verb === "remove") {
    await removeDatabase(ownerUrl, name);
    console.log(`Removed ${name} from the registry; the database itself is untouched.`);
    return 0;
  }
  const entry = (await listDatabases(ownerUrl)).find((d) => d.name === name);
  if (!entry) throw new RegistryError(`No database named ${name} is registered.`);
  if (entry.name === PRIMARY_DATABASE)
    throw new RegistryError("The primary is where sync reads the data plane from.");
  const target = ownerUrlOf(entry);
  const plan = values.plan
    ? await planSync(ownerUrl, target)
    : await syncDatabase(ownerUrl, target, {
        appPassword: new URL(appUrlOf(entry)).password || undefined,
      });
  for (const p of plan.problems) console.log(`cannot make: ${p}`);
  for (const d of plan.drift) console.log(`drift (left alone): ${d}`);
  console.log(
    `${values.plan ? "Would make" : "Made"} ${plan.create.length} objects on ${name} (schemas ${plan.schemas.join(", ")})${
      plan.create.length
        ? `: ${plan.create
            .map((o) => o.key)
            .slice(0, 10)
            .join("; ")}${plan.create.length > 10 ? "; …" : ""}`
        : ", which lacked nothing"
    }.`,
  );
  return plan.problems.length ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(
    error instanceof RegistryError || error instanceof SyncError
      ? error.message
      : `It failed: ${(error as Error).message}`,
  );
  process.exitCode = 1;
}
