// Where a keyset-paged list's page starts, carried in the URL opaque (base64url JSON). What it
// holds is each list's own schema; one that does not decode is no cursor at all.

export function encodeCursor(cursor: object): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export function decodeCursor(value: unknown): unknown {
  if (typeof value !== "string" || value.length > 1200) return undefined;
  try {
    return JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}
