/**
 * Login challenges: the proof that the password step passed, sent back with the second factor.
 * A JWT (HS256) under a key derived from TOKEN_SECRET for this purpose only (so it can never pass as
 * an access token), `typ: 2fa-challenge+jwt`, 5 minutes. It names the user, the tenant and the
 * factor's use count at issue: any later successful check makes it void (single use).
 */
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { twoFactorErrors } from './two-factor.errors.ts';
import { deriveKey } from './two-factor.secret-box.ts';

export interface Challenge {
  userId: string;
  tenantId: string;
  uses: number;
  /** Issue time, seconds since the epoch. */
  issuedAt: number;
}

const type = '2fa-challenge+jwt';
const audience = 'tenantry-second-factor';
export const challengeTtlSeconds = 300;

export function createChallenges(tokenSecret: string) {
  const key = deriveKey(tokenSecret, 'second factor challenge v1');
  return {
    sign(challenge: Omit<Challenge, 'issuedAt'>): Promise<string> {
      return new SignJWT({ tid: challenge.tenantId, n: challenge.uses })
        .setProtectedHeader({ alg: 'HS256', typ: type })
        .setSubject(challenge.userId)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${challengeTtlSeconds}s`)
        .sign(key);
    },
    async verify(token: string): Promise<Challenge> {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], audience, typ: type, requiredClaims: ['sub', 'exp', 'iat'] });
        const { sub, tid, n, iat } = payload;
        if (typeof sub !== 'string' || typeof tid !== 'string' || typeof n !== 'number' || typeof iat !== 'number') throw twoFactorErrors.invalidChallenge();
        return { userId: sub, tenantId: tid, uses: n, issuedAt: iat };
      } catch (error) {
        if (error instanceof joseErrors.JOSEError || error instanceof TypeError) throw twoFactorErrors.invalidChallenge();
        throw error;
      }
    },
  };
}

export type Challenges = ReturnType<typeof createChallenges>;
