// Customer IDs (docs/architecture.md §5): 9 characters from an alphabet without look-alikes, from a CSPRNG.
import { randomInt } from "node:crypto";

export const CUSTOMER_ID_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const CUSTOMER_ID_LENGTH = 9;
/** Owns the rows that existed before the platform became multi-tenant; never generated. */
export const LEGACY_CUSTOMER_ID = "LEGACY001";

const GENERATED = new RegExp(`^[${CUSTOMER_ID_ALPHABET}]{${CUSTOMER_ID_LENGTH}}$`);

/** randomInt draws by rejection sampling, so every character is equally likely (no modulo bias). */
export function generateCustomerId(): string {
  let id = "";
  for (let i = 0; i < CUSTOMER_ID_LENGTH; i++)
    id += CUSTOMER_ID_ALPHABET[randomInt(CUSTOMER_ID_ALPHABET.length)];
  return id;
}

/** Upper-cases and drops spaces and dashes, so `abc-def ghj` reads as `ABCDEFGHJ`. */
export function normalizeCustomerId(input: string): string {
  return input.toUpperCase().replace(/[\s-]+/g, "");
}

export function isCustomerId(value: string): boolean {
  return GENERATED.test(value) || value === LEGACY_CUSTOMER_ID;
}

/** `ABCDEFGHJ` → `ABC-DEF-GHJ` for display. */
export function formatCustomerId(id: string): string {
  return id.match(/.{1,3}/g)?.join("-") ?? id;
}

export class CustomerIdExhaustedError extends Error {
  constructor(attempts: number) {
    super(`No free customer ID after ${attempts} attempts. Nothing was created; try again.`);
  }
}

/**
 * Runs `insert` with fresh IDs until one is not taken (the primary key decides, so two
 * concurrent creators cannot both win the same ID). `insert` returns false on a collision.
 */
export async function withFreshCustomerId<T>(
  insert: (id: string) => Promise<T | false>,
  options: { generate?: () => string; attempts?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  const generate = options.generate ?? generateCustomerId;
  for (let i = 0; i < attempts; i++) {
    const result = await insert(generate());
    if (result !== false) return result;
  }
  throw new CustomerIdExhaustedError(attempts);
}
