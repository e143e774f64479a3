// Another app instance, for the rate-limit test: `COUNT` calls at once for one customer through
// its own pool, printing how many were let through.
//   APP_DATABASE_URL=… CUSTOMER=… CALLER=… COUNT=100
import { closeDatabase } from "@/db/tenant";
import { takeCall } from "../limits";

const count = Number(process.env.COUNT ?? 100);
const results = await Promise.all(
  Array.from({ length: count }, () => takeCall(process.env.CUSTOMER!, process.env.CALLER!)),
);
console.log(`allowed ${results.filter((r) => r.ok).length}`);
await closeDatabase();
