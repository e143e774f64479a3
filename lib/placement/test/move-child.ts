// A move in a process of its own that stops, as if hung, when it reaches the phase in
// MOVE_PAUSE_AT — so a test can kill it there (SIGKILL) and see what resume makes of it.
//   DATABASE_URL=<primary owner URL> MOVE_CUSTOMER=… MOVE_TO=… MOVE_PAUSE_AT=copy [MOVE_MODE=online]
import { moveCustomer } from "../move";

const env = (name: string) => process.env[name] ?? "";
await moveCustomer(env("DATABASE_URL"), env("MOVE_CUSTOMER"), env("MOVE_TO"), {
  by: "test",
  mode: (process.env.MOVE_MODE as "online" | "offline" | undefined) ?? "auto",
  onPhase: (phase) => {
    if (phase !== env("MOVE_PAUSE_AT")) return;
    console.log(`paused at ${phase}`);
    // Hang here, holding whatever the move holds, until killed.
    for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  },
});
