import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAccessTokens, verifiedTokenCacheSize } from './access-tokens.ts';

const options = { secret: 'access-token-test-secret-0123456789-abcdef', issuer: 'tenantry', audience: 'tenantry', ttlSeconds: 60 };
const claims = () => ({ userId: randomUUID(), tenantId: randomUUID(), sessionId: randomUUID(), roles: ['member'] });
const refused = (promise: Promise<unknown>) => expect(promise).rejects.toMatchObject({ code: 'identity.invalid_token' });

afterEach(() => {
  vi.useRealTimers();
});

describe('access tokens', () => {
  it('verifies a token again from memory, and refuses it once expired (after the 5 s clock tolerance)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-22T10:00:00Z'));
    const tokens = createAccessTokens(options);
    const mine = claims();
    const token = await tokens.sign(mine);
    expect(await tokens.verify(token)).toEqual(mine);
    const again = await tokens.verify(token);
    expect(again).toEqual(mine);
    // The caller's copy: changing it changes nothing remembered.
    again.roles.push('owner');
    expect((await tokens.verify(token)).roles).toEqual(['member']);
    vi.setSystemTime(new Date('2026-11-22T10:01:04Z'));
    expect(await tokens.verify(token)).toEqual(mine);
    vi.setSystemTime(new Date('2026-11-22T10:01:06Z'));
    await refused(tokens.verify(token));
  });

  it('never takes another text for a remembered token: a changed signature or payload, another key', async () => {
    const tokens = createAccessTokens(options);
    const token = await tokens.sign(claims());
    await tokens.verify(token);
    const [header, payload, signature] = token.split('.');
    await refused(tokens.verify(`${header}.${payload}.${signature!.slice(0, -2)}AA`));
    const forged = await new SignJWT({ tid: randomUUID(), sid: randomUUID(), roles: ['owner'] })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setSubject(randomUUID())
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(new TextEncoder().encode('another-secret-0123456789-abcdefghijklmn'));
    await refused(tokens.verify(forged));
    await refused(createAccessTokens({ ...options, secret: 'another-secret-0123456789-abcdefghijklmn' }).verify(token));
  });

  it('remembers a bounded number of tokens; one let go still verifies, through its signature', async () => {
    const tokens = createAccessTokens(options);
    const first = await tokens.sign(claims());
    await tokens.verify(first);
    expect(tokens.remembered).toBe(1);
    for (let index = 0; index < verifiedTokenCacheSize + 10; index++) await tokens.verify(await tokens.sign(claims()));
    expect(tokens.remembered).toBe(verifiedTokenCacheSize);
    expect((await tokens.verify(first)).roles).toEqual(['member']);
    expect(tokens.remembered).toBe(verifiedTokenCacheSize);
  }, 60_000);
});
