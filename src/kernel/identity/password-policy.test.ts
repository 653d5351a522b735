import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hashing.ts';
import { checkNewPassword, commonPasswords, normalizePassword } from './password-policy.ts';

const codeOf = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('password policy', () => {
  it('ships a blocklist of at least 100,000 common passwords', () => {
    expect(commonPasswords().size).toBeGreaterThanOrEqual(100_000);
    expect(commonPasswords().has('password')).toBe(true);
  });

  it('refuses fewer than 8 characters, counted in code points', () => {
    expect(codeOf(() => checkNewPassword('Zq9!x7a'))).toBe('identity.password_too_short');
    // Four astral characters are 8 UTF-16 units but 4 characters.
    expect(codeOf(() => checkNewPassword('😀🐢🌵🎈'))).toBe('identity.password_too_short');
    expect(checkNewPassword('Zq9!x7aW')).toBe('Zq9!x7aW');
  });

  it('accepts any Unicode up to 1024 characters, without composition rules', () => {
    expect(checkNewPassword('correct horse battery staple')).toBe('correct horse battery staple');
    expect(checkNewPassword('كلمة سر طويلة جدا')).toBe('كلمة سر طويلة جدا');
    const long = 'ab3-'.repeat(256);
    expect(checkNewPassword(long)).toHaveLength(1024);
    expect(codeOf(() => checkNewPassword(`${long}x`))).toBe('identity.password_too_long');
  });

  it('refuses a 1 MB password at once, before any Unicode work', () => {
    const started = performance.now();
    expect(codeOf(() => normalizePassword('x'.repeat(1_048_576)))).toBe('identity.password_too_long');
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('refuses passwords of the blocklist, whatever their case', () => {
    expect(codeOf(() => checkNewPassword('password1'))).toBe('identity.password_breached');
    expect(codeOf(() => checkNewPassword('PASSWORD123'))).toBe('identity.password_breached');
    expect(codeOf(() => checkNewPassword('iloveyou'))).toBe('identity.password_breached');
  });

  it('refuses control characters and unpaired surrogates', () => {
    expect(codeOf(() => checkNewPassword('abc\u0000defghij'))).toBe('identity.password_invalid');
    expect(codeOf(() => checkNewPassword('abcdefgh\uD800'))).toBe('identity.password_invalid');
  });

  it('normalizes with NFKC, so equivalent spellings are one password', async () => {
    const fullWidth = 'Ｔｅｎａｎｔｒｙ－ｐａｓｓ－４２';
    expect(normalizePassword(fullWidth)).toBe('Tenantry-pass-42');
    const composed = 'caf\u00e9-au-lait-42';
    const decomposed = 'cafe\u0301-au-lait-42';
    const stored = await hashPassword(checkNewPassword(composed));
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, normalizePassword(decomposed))).toBe(true);
  });

  it('never truncates: a password differing only after 72 or 128 characters does not match', async () => {
    const base = 'q'.repeat(200);
    const stored = await hashPassword(checkNewPassword(`${base}A`));
    expect(await verifyPassword(stored, normalizePassword(`${base}B`))).toBe(false);
    expect(await verifyPassword(stored, normalizePassword(`${base}A`))).toBe(true);
  });

  it('verifies against a dummy hash when there is no stored one, and says no', async () => {
    expect(await verifyPassword(undefined, 'anything at all')).toBe(false);
  });
});
