// The embedded server's passwords: the owner's and the app login's, made on first use and kept
// in <dataDir>/credentials.json (mode 0600). Apart from db/embedded.ts so that whoever only
// needs to know them (a test run's configuration) does not load the server's package.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface EmbeddedCredentials {
  owner: string;
  app: string;
}

export function embeddedCredentials(dataDir: string): EmbeddedCredentials {
  const file = path.join(dataDir, "credentials.json");
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const made: EmbeddedCredentials = {
      owner: randomBytes(24).toString("base64url"),
      app: randomBytes(24).toString("base64url"),
    };
    writeFileSync(file, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  return JSON.parse(readFileSync(file, "utf8")) as EmbeddedCredentials;
}

export function embeddedUrl(
  user: string,
  password: string,
  port: number,
  database: string,
): string {
  return `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
