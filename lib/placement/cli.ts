// npm run move -- <ID> --to NAME [--online | --offline] | resume | rollback MOVE | cleanup [MOVE]
// Moves a customer's data plane to another registered database (docs/architecture.md §13),
// phase by phase, recorded in control.moves. Online (logical replication with a row filter; the
// source needs wal_level=logical) the customer's writes wait only for the final catch-up;
// offline they wait for the whole copy. Without a flag: online from MOVE_ONLINE_ROWS (50 000)
// rows when the source can, else offline; the move says which it used. A failure before the flip leaves the customer where it was. `resume` finishes the
// moves a killed process left flipped and rolls back the others. `rollback` stops a move that has
// not flipped and puts everything back. A finished move's old rows wait on its source for
// MOVE_CLEANUP_GRACE_MINUTES (default 60): `cleanup MOVE` deletes them now, `cleanup` those
// whose grace period is over.
import { parseArgs } from "node:util";
import { osUser } from "@/lib/auth/super-admins";
import { isCustomerId, normalizeCustomerId } from "@/lib/customers/ids";
import { closeDatabase } from "@/db/tenant";
import {
  cancelMove,
  cleanUpDueMoves,
  cleanUpMove,
  cleanupGraceMs,
  MoveError,
  moveCustomer,
  resumeMoves,
} from "./move";

const USAGE =
  "Usage: npm run move -- <ID> --to NAME [--online | --offline] | resume | rollback MOVE | cleanup [MOVE]";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      to: { type: "string" },
      online: { type: "boolean", default: false },
      offline: { type: "boolean", default: false },
    },
  });
  const ownerUrl = process.env.DATABASE_URL;
  if (!ownerUrl) {
    console.error("move works as the owner: set DATABASE_URL to the primary's owner URL.");
    return 2;
  }
  if (positionals[0] === "resume") {
    const done = await resumeMoves(ownerUrl);
    for (const d of done)
      console.log(
        d.outcome === "still running"
          ? `${d.tenantId}: move ${d.moveId} is still running in a live process; left alone.`
          : `${d.tenantId}: move ${d.moveId} ${d.outcome}.`,
      );
    const resumed = done.filter((d) => d.outcome !== "still running").length;
    console.log(resumed ? `${resumed} moves resumed.` : "No move was left by a stopped process.");
    return 0;
  }
  if (positionals[0] === "rollback" && positionals[1]) {
    const outcome = await cancelMove(ownerUrl, positionals[1], `command line (${osUser()})`);
    console.log(
      outcome === "asked"
        ? "Asked: the move stops at its next step and puts everything back."
        : "Rolled back: its process had stopped; the customer stays where it was.",
    );
    return 0;
  }
  if (positionals[0] === "cleanup") {
    const by = `command line (${osUser()})`;
    const done = positionals[1]
      ? [{ moveId: positionals[1], ...(await cleanUpMove(ownerUrl, positionals[1], { by })) }]
      : await cleanUpDueMoves(ownerUrl);
    for (const d of done)
      console.log(
        "rows" in d && d.rows !== undefined
          ? `move ${d.moveId}: ${d.rows.toLocaleString("en")} old rows deleted.`
          : `move ${d.moveId}: ${"error" in d ? d.error : "failed"}`,
      );
    if (!done.length) console.log("No move's grace period is over.");
    return done.some((d) => "error" in d && d.error) ? 1 : 0;
  }
  const id = normalizeCustomerId(positionals[0] ?? "");
  if (!isCustomerId(id) || !values.to || (values.online && values.offline)) {
    console.error(USAGE);
    return 2;
  }
  const moved = await moveCustomer(ownerUrl, id, values.to, {
    by: `command line (${osUser()})`,
    mode: values.online ? "online" : values.offline ? "offline" : "auto",
    onPhase: (phase) => console.log(`${phase} …`),
  });
  console.log(
    `Moved ${id} ${moved.mode} from ${moved.source} to ${moved.target}: ${moved.rows.toLocaleString("en")} rows, verified; its writes were held ${moved.freezeMs} ms.`,
  );
  const grace = cleanupGraceMs();
  if (grace > 0)
    console.log(
      `Its old rows wait on ${moved.source} for ${grace / 60_000} minutes (writes there are refused); npm run move -- cleanup ${moved.moveId} deletes them now.`,
    );
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(
    error instanceof MoveError ? error.message : `It failed: ${(error as Error).message}`,
  );
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
