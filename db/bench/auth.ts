// npm run bench:auth — what signing in and resolving the request context cost.
// Prints the argon2id cost of one hash with the parameters in use (target 50–250 ms on this
// machine), the latency of checkCredentials (throttle look-up + user + verify + record), and
// resolveContext per request as a ratio to a bare `select 1` on the same pool in the same run.
import { sql } from "drizzle-orm";
import { ARGON2_OPTIONS, hashPassword } from "../../lib/auth/passwords";
import { resolveContext } from "../../lib/auth/resolve-context";
import { checkCredentials } from "../../lib/auth/sign-in";
import { insertSuperAdmin } from "../../lib/auth/super-admins";
import { withSystem } from "../tenant";
import { withBenchDatabase } from "./database";
import { ms, ratio, summarize, timed } from "./stats";

await withBenchDatabase("auth", { owner: 1, app: 4 }, async () => {
  const password = "bench password long enough";
  const userId = await withSystem("admin-create", (tx) =>
    insertSuperAdmin(tx, {
      email: "bench@tenantry.example",
      displayName: "Bench",
      password,
      via: "admin-create",
    }),
  );

  const hashes: number[] = [];
  for (let i = 0; i < 10; i++) hashes.push(await timed(() => hashPassword(password)));
  const hash = summarize(hashes);
  console.log(
    `argon2id m=${ARGON2_OPTIONS.memoryCost} KiB t=${ARGON2_OPTIONS.timeCost} p=${ARGON2_OPTIONS.parallelism}: one hash p50 ${ms(hash.p50)} (target 50–250 ms)`,
  );

  const signIns: number[] = [];
  for (let i = 0; i < 20; i++) {
    // A fresh IP each time so the bench never throttles itself.
    signIns.push(
      await timed(() =>
        checkCredentials({
          email: "bench@tenantry.example",
          password,
          ip: `10.0.${i >> 8}.${i & 255}`,
        }),
      ),
    );
  }
  const signIn = summarize(signIns);
  console.log(`sign-in (checkCredentials): p50 ${ms(signIn.p50)}  p95 ${ms(signIn.p95)}`);

  const select1: number[] = [];
  const context: number[] = [];
  for (let i = 0; i < 2_500; i++) {
    const a = await timed(() =>
      withSystem("bench", (tx) => tx.execute(sql`select 1`), { readOnly: true }),
    );
    const b = await timed(() => resolveContext(userId));
    if (i >= 500) {
      select1.push(a);
      context.push(b);
    }
  }
  const [s, c] = [summarize(select1), summarize(context)];
  console.log(`select 1 (same path)      p50 ${ms(s.p50)}  p95 ${ms(s.p95)}`);
  console.log(`resolveContext            p50 ${ms(c.p50)}  p95 ${ms(c.p95)}`);
  console.log(`context / select 1        p50 ${ratio(c.p50 / s.p50)}  p95 ${ratio(c.p95 / s.p95)}`);
});
