// Whether the console needs building before it is served (npm start, the benches that start its
// server): no build yet, or a file it is built from changed since the last one (a pull, an edit),
// which the old build would otherwise serve beside the new code that migrates and runs its jobs.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/** What `next build` reads, under the project's root. */
const BUILD_INPUTS = [
  "app",
  "components",
  "lib",
  "db",
  "proxy.ts",
  "instrumentation.ts",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
];

/** Folders and files among those that are never built: tests, their fixtures, the benches. */
const NOT_BUILT = /(^|\/)(test|bench|migrations)(\/|$)|\.test\.tsx?$/;

/**
 * Why the build under `root` must be made (again), or null when it is newer than every file it
 * is built from. Newer by modification time: a checkout or an edit touches what it changes.
 */
export function whyBuild(root: string): string | null {
  const built = modified(path.join(root, ".next", "BUILD_ID"));
  if (built === null) return "no build yet";
  for (const input of BUILD_INPUTS) {
    const changed = newerThan(root, input, built);
    if (changed) return `${changed} changed since the last build`;
  }
  return null;
}

function modified(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** The first file under `relative` (a file or folder) modified after `since`, if any. */
function newerThan(root: string, relative: string, since: number): string | null {
  if (NOT_BUILT.test(relative)) return null;
  const full = path.join(root, relative);
  let entries;
  try {
    entries = readdirSync(full, { withFileTypes: true });
  } catch {
    const time = modified(full);
    return time !== null && time > since ? relative : null;
  }
  for (const entry of entries) {
    const found = newerThan(root, path.join(relative, entry.name), since);
    if (found) return found;
  }
  return null;
}
