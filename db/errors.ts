// PostgreSQL errors the app expects and turns into sentences, recognised by SQLSTATE whether pg
// threw them directly or drizzle wrapped them (as `cause`).

function sqlState(error: unknown): string | undefined {
  for (
    let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 3;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/** A unique constraint refused the write (two requests raced for the same key). */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === "23505";
}
