// Stands in for the `server-only` package under vitest and the CLI scripts: both are server code.
export {};
