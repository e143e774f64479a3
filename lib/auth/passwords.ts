// Password hashing with argon2id (@node-rs/argon2: maintained, prebuilt native binaries on npm,
// no build toolchain needed at install).
import { hash, verify } from "@node-rs/argon2";

export const ARGON2_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolatedModules cannot read)
  // 46 MiB × 4 passes: the OWASP baseline (19 MiB × 2) hashed in ~27 ms here and 46 MiB × 3
  // in 51–59 ms, at the floor of the 50–250 ms a hash should cost (npm run bench:auth prints it).
  memoryCost: 47_104, // KiB
  timeCost: 4,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}
