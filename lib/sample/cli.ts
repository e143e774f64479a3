// npm run sample -- generate [--rows 1000000] [--reset]
// Fills schema `app` of the database in DATABASE_URL (the owner's connection) with the
// deterministic legacy point-of-sale sample (db/sample/) at the size asked, at least 1000 rows.
import { parseArgs } from "node:util";
import { generateSample } from "@/db/sample/generate";

const USAGE =
  "Usage: DATABASE_URL=<owner URL> npm run sample -- generate [--rows 1000000] [--reset]   (at least 1000 rows)";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    rows: { type: "string", default: "50000" },
    reset: { type: "boolean", default: false },
  },
});
const rows = Number(values.rows);
const url = process.env.DATABASE_URL;
if (
  positionals.length !== 1 ||
  positionals[0] !== "generate" ||
  !url ||
  !Number.isInteger(rows) ||
  rows < 1000
) {
  console.error(USAGE);
  process.exitCode = 2;
} else {
  const started = Date.now();
  try {
    const r = await generateSample(url, { rows, reset: values.reset });
    console.log(
      `Sample data plane: ${r.rows.toLocaleString("en")} rows in ${r.tables} tables, in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
  } catch (error) {
    console.error(`Could not generate the sample: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
