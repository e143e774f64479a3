import { defineConfig } from "drizzle-kit";

// generate + migrate only: `drizzle-kit push` mishandles policies (docs/conventions.md §5).
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations",
  schemaFilter: ["control"],
  entities: { roles: false },
});
