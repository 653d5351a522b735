/**
 * Access tokens: JWTs (RFC 9068 profile, `typ: at+jwt`) signed with HS256 and the TOKEN_SECRET key.
 * Verification pins the algorithm, issuer, audience and type, so `alg: none`, an RS/HS confusion or a
 * token of another issuer is refused before its claims are read.
 */
import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { invalidToken } from './identity.errors.ts';

export interface AccessTokenClaims {
  userId: string;
  tenantId: string;
  sessionId: string;
  roles: string[];
}

export interface AccessTokenOptions {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

const algorithm = 'HS256';
const tokenType = 'at+jwt';
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createAccessTokens(options: AccessTokenOptions) {
  const key = new TextEncoder().encode(options.secret);
  return {
    ttlSeconds: options.ttlSeconds,
    sign(claims: AccessTokenClaims): Promise<string> {
      return new SignJWT({ tid: claims.tenantId, sid: claims.sessionId, roles: claims.roles })
        .setProtectedHeader({ alg: algorithm, typ: tokenType })
        .setSubject(claims.userId)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(`${options.ttlSeconds}s`)
        .sign(key);
    },
    /** The claims of a valid token; throws identity.invalid_token for anything else. */
    async verify(token: string): Promise<AccessTokenClaims> {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: [algorithm], issuer: options.issuer, audience: options.audience, typ: tokenType, requiredClaims: ['sub', 'exp', 'iat'], clockTolerance: 5 });
        const { sub, tid, sid, roles } = payload;
        if (typeof sub !== 'string' || typeof tid !== 'string' || typeof sid !== 'string' || ![sub, tid, sid].every((id) => uuidPattern.test(id))) throw invalidToken();
        if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) throw invalidToken();
        return { userId: sub, tenantId: tid, sessionId: sid, roles };
      } catch (error) {
        if (error instanceof joseErrors.JOSEError || error instanceof TypeError) throw invalidToken();
        throw error;
      }
    },
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
