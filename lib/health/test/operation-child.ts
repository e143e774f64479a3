// One long operation in a process of its own, for a test to kill with SIGKILL part-way:
//   DATABASE_URL=<owner URL> APP_DATABASE_URL=<app URL> OPERATION=adopt|snapshot|export
//   [CUSTOMER=… FILE=…]
// It prints "started" once it has begun; the test holds a lock that stops it mid-way.
import { runAdoption } from "../../adoption/run";
import { exportCustomer } from "../../portability/export";
import { takeSnapshot } from "../../usage/snapshot";

const env = (name: string) => process.env[name] ?? "";
console.log("started");
switch (env("OPERATION")) {
  case "adopt":
    await runAdoption(env("DATABASE_URL"), { schema: "app" });
    break;
  case "snapshot":
    await takeSnapshot("command");
    break;
  case "export":
    await exportCustomer(env("DATABASE_URL"), env("CUSTOMER"), env("FILE"), { by: "test" });
    break;
  default:
    throw new Error(`no operation ${env("OPERATION")}`);
}
console.log("finished");
process.exit(0);
