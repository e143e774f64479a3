// ESLint with Next.js's rules (core web vitals, React, hooks, accessibility) and typescript-eslint.
// Formatting is Prettier's (.prettierrc.json); `npm run lint` checks both and runs in CI.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  {
    // This warns where the React Compiler would skip a component; the console does not use it.
    rules: {
      "react-hooks/incompatible-library": "off",
      // `const { dropped, ...kept } = row` is how a field is left out of an object.
      "@typescript-eslint/no-unused-vars": ["warn", { ignoreRestSiblings: true }],
    },
  },
  globalIgnores([
    ".next/**",
    "node_modules/**",
    "test-results/**",
    "playwright-report/**",
    ".data/**",
    "next-env.d.ts",
  ]),
]);
