// The archive writer: a tar written in place from streams, its headers after its data. What it
// writes is read back by node-tar and by GNU tar, long names and all, with the SHA-256 it answers
// being the file's; gzipped when the name says so; and an abandoned archive leaves nothing.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import { describe, expect, it } from "vitest";
import { ArchiveWriter } from "./archive";

const long = `data/${"s".repeat(63)}.${"t".repeat(63)}.copy`;
const entries: [string, Buffer][] = [
  ["control.json", Buffer.from("{}\n")],
  ["data/empty.copy", Buffer.alloc(0)],
  ["data/exactly-one-block.copy", Buffer.alloc(512, "a")],
  [long, Buffer.from("x\ty\n".repeat(10_000))],
  ["manifest.json", Buffer.from('{"a":1}\n')],
];

async function write(file: string) {
  const archive = await ArchiveWriter.create(file);
  for (const [name, bytes] of entries)
    await archive.entry(name, (sink) => pipeline(Readable.from([bytes]), sink));
  return archive.finish();
}

describe("the archive writer", () => {
  for (const name of ["a.tar", "a.tar.gz"])
    it(`writes ${name} that tar reads back whole, and answers its SHA-256`, async () => {
      const folder = await mkdtemp(path.join(tmpdir(), "tenantry-archive-test-"));
      const file = path.join(folder, name);
      const sha256 = await write(file);
      expect(sha256).toBe(
        createHash("sha256")
          .update(await readFile(file))
          .digest("hex"),
      );
      expect(await readdir(folder)).toEqual([name]);
      const out = path.join(folder, "out");
      execFileSync("mkdir", [out]);
      await tar.x({ file, cwd: out, strict: true });
      for (const [entry, bytes] of entries)
        expect(await readFile(path.join(out, entry))).toEqual(bytes);
      const listed = execFileSync("tar", ["-tf", file], { encoding: "utf8" }).trim().split("\n");
      expect(listed).toEqual(entries.map(([entry]) => entry));
    });

  it("leaves nothing behind when abandoned", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "tenantry-archive-test-"));
    const file = path.join(folder, "a.tar.gz");
    const archive = await ArchiveWriter.create(file);
    await archive.entry("control.json", (sink) =>
      pipeline(Readable.from([Buffer.from("{}")]), sink),
    );
    await archive.abandon();
    expect(existsSync(file)).toBe(false);
    expect(await readdir(folder)).toEqual([]);
  });
});
