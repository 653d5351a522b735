/**
 * argon2id with OWASP's first recommended setting (Password Storage Cheat Sheet): m = 19 MiB,
 * t = 2, p = 1. Hashing runs on libuv's thread pool (@node-rs/argon2), not the event loop.
 */
import { hash, verify } from '@node-rs/argon2';

/** Algorithm.Argon2id of @node-rs/argon2 (an ambient const enum, which isolated modules cannot read). */
const argon2id = 2;

export const argon2Options = { algorithm: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export function hashPassword(normalized: string): Promise<string> {
  return hash(normalized, argon2Options);
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies a password against a stored hash; with no hash (unknown user, or no password set), verifies
 * against a dummy hash of the same cost, so both answers take the same time.
 */
export async function verifyPassword(stored: string | null | undefined, normalized: string): Promise<boolean> {
  dummyHash ??= hashPassword('tenantry dummy password for unknown accounts');
  const target = stored ?? (await dummyHash);
  const matches = await verify(target, normalized).catch(() => false);
  return stored ? matches : false;
}
