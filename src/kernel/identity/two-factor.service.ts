/**
 * TOTP two-factor authentication (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step) with recovery codes.
 * Enrolment and disabling require the current password; enrolment is confirmed by a first code,
 * which returns 10 recovery codes once. With a confirmed factor, a right password answers
 * identity.second_factor_required with a single-use challenge; the login completes with the
 * challenge and a code whose time step is later than the last accepted one (no replay), or an
 * unused recovery code. Failures are throttled like logins, under a counter of their own.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import { withTenant } from '../db/index.ts';
import type { AppError } from '../shared/index.ts';
import type { Authenticated, ClientInfo, TokenPair } from './identity.contract.ts';
import { invalidCredentials, invalidToken } from './identity.errors.ts';
import { findRole } from './identity.repository.ts';
import type { IdentitySessions } from './identity.service.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { Reauthenticate } from './password-reset.ts';
import type { IdentityEvent, IdentityEvents } from './security-events.ts';
import { challengeTtlSeconds, type Challenges } from './two-factor.challenge.ts';
import { twoFactorErrors } from './two-factor.errors.ts';
import { confirmFactor, deleteFactor, findTotpFactor, spendRecoveryCode, spendTotpStep, upsertPendingFactor } from './two-factor.repository.ts';
import type { SecretBox } from './two-factor.secret-box.ts';
import { findUserById } from './user-tokens.repository.ts';

export interface TwoFactorOptions {
  db: Kysely<any>;
  events: IdentityEvents;
  throttle: LoginThrottle;
  sessions: IdentitySessions;
  reauthenticate: Reauthenticate;
  box: SecretBox;
  challenges: Challenges;
  /** The issuer shown by authenticator apps. */
  issuer: string;
  now?: () => number;
}

export interface TotpEnrolment {
  secret: string;
  uri: string;
  algorithm: 'SHA1';
  digits: 6;
  period: 30;
}

export interface TwoFactorStatus {
  totp: 'off' | 'pending' | 'on';
  recoveryCodesLeft: number;
}

const totpParameters = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
const recoveryCodeCount = 10;
const hashCode = (code: string) => createHash('sha256').update(code).digest();
/** Recovery codes are 80 random bits in base32, shown as xxxx-xxxx-xxxx-xxxx; spaces, hyphens and case are ignored. */
const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');
const newRecoveryCode = () => new Secret({ size: 10 }).base32.toLowerCase().match(/.{4}/g)!.join('-');

type Proof = { kind: 'totp'; step: number } | { kind: 'recovery'; hash: Buffer } | undefined;

export function createTwoFactor(options: TwoFactorOptions) {
  const { db, events, throttle, sessions, box, challenges } = options;
  const now = options.now ?? Date.now;
  const throttleKey = (userId: string) => `second-factor:${userId}`;

  /** What a submitted code proves, before it is spent: a TOTP step in the window, or a recovery code's hash. */
  const proofOf = (userId: string, sealed: Buffer, code: string): Proof => {
    const text = String(code).trim();
    if (/^\d{6}$/.test(text)) {
      let opened: Buffer;
      try {
        opened = box.open(sealed, userId);
      } catch (error) {
        throw twoFactorErrors.secretUnreadable(error);
      }
      const secret = new Secret({ buffer: new Uint8Array(opened).buffer });
      const timestamp = now();
      const delta = TOTP.validate({ token: text, secret, ...totpParameters, timestamp, window: 1 });
      return delta === null ? undefined : { kind: 'totp', step: TOTP.counter({ period: totpParameters.period, timestamp }) + delta };
    }
    const recovery = normalizeRecoveryCode(text);
    return /^[a-z2-7]{16}$/.test(recovery) ? { kind: 'recovery', hash: hashCode(recovery) } : undefined;
  };

  /** Spends the proof atomically (a replayed step or a used code fails); undefined when refused. */
  const spend = async (userId: string, proof: Proof, uses?: number): Promise<{ recoveryCodesLeft?: number } | undefined> => {
    if (!proof) return undefined;
    if (proof.kind === 'totp') return (await spendTotpStep(db, userId, proof.step, uses)) ? {} : undefined;
    const left = await spendRecoveryCode(db, userId, proof.hash, uses);
    return left === undefined ? undefined : { recoveryCodesLeft: left };
  };

  /** In the tenant's chain when the user is a member there, else the platform chain. */
  const recordFor = async (userId: string, tenantId: string, event: IdentityEvent, client: ClientInfo) => {
    const recorded = await withTenant(db, { tenantId, userId }, async (tx) => {
      if (!(await findRole(tx, tenantId, userId))) return false;
      await events.record(tx, tenantId, event, client);
      return true;
    });
    if (!recorded) await events.recordPlatform(event, client);
  };

  const failure = async (userId: string, tenantId: string, client: ClientInfo, reason: string) => {
    const { lockedSeconds } = await throttle.recordFailure(throttleKey(userId), client.ip);
    await recordFor(userId, tenantId, { action: 'auth.second_factor_failed', userId, details: { reason, ...(lockedSeconds ? { lockedSeconds } : {}) } }, client);
  };

  return {
    /** After a right password: throws identity.second_factor_required when the user has a confirmed factor. */
    async requireChallenge(userId: string, tenantId: string): Promise<void> {
      const factor = await findTotpFactor(db, userId);
      if (!factor?.confirmed) return;
      throw twoFactorErrors.secondFactorRequired(await challenges.sign({ userId, tenantId, uses: factor.uses }), challengeTtlSeconds);
    },

    /** Completes a login with the challenge and a TOTP or recovery code. */
    async completeLogin(input: { challenge: string; code: string }, client: ClientInfo): Promise<TokenPair> {
      const challenge = await challenges.verify(String(input.challenge));
      const { userId, tenantId } = challenge;
      await throttle.check(throttleKey(userId), client.ip);
      const factor = await findTotpFactor(db, userId);
      // A password reset or change after the challenge voids it, as it voids sessions.
      if (!factor?.confirmed || factor.uses !== challenge.uses || (factor.sessionsNotBefore && challenge.issuedAt * 1000 < factor.sessionsNotBefore.getTime() - 1000)) throw twoFactorErrors.invalidChallenge();
      const proof = proofOf(userId, factor.secretEncrypted, input.code);
      const spent = await spend(userId, proof, challenge.uses);
      if (!spent) {
        await failure(userId, tenantId, client, proof?.kind === 'totp' ? 'replayed_code' : 'bad_code');
        throw twoFactorErrors.invalidCode();
      }
      await throttle.recordSuccess(throttleKey(userId));
      const details: Record<string, string | number> = proof!.kind === 'totp' ? { secondFactor: 'totp' } : { secondFactor: 'recovery_code', recoveryCodesLeft: spent.recoveryCodesLeft ?? 0 };
      return sessions.openSession(userId, tenantId, client, { action: 'auth.login_succeeded', details }).catch((error: unknown) => {
        throw (error as AppError).code === 'identity.not_a_member' ? invalidCredentials() : error;
      });
    },

    async status(principal: Authenticated): Promise<TwoFactorStatus> {
      const factor = await findTotpFactor(db, principal.userId);
      return { totp: !factor ? 'off' : factor.confirmed ? 'on' : 'pending', recoveryCodesLeft: factor?.confirmed ? factor.recoveryCodesLeft : 0 };
    },

    /** Starts an enrolment (current password required): the secret, shown once, as base32 and otpauth URI. */
    async startEnrolment(principal: Authenticated, input: { currentPassword: string }, client: ClientInfo): Promise<TotpEnrolment> {
      const user = await findUserById(db, principal.userId);
      await options.reauthenticate(user, input.currentPassword, principal, client);
      if (!user) throw invalidToken();
      const secret = new Secret({ size: 20 });
      if (!(await upsertPendingFactor(db, user.id, box.seal(Buffer.from(secret.bytes), user.id)))) throw twoFactorErrors.alreadyEnabled();
      const uri = new TOTP({ issuer: options.issuer, label: user.email, secret, ...totpParameters }).toString();
      return { secret: secret.base32, uri, ...totpParameters };
    },

    /** Confirms the enrolment with a first code; answers the recovery codes, the only time they are shown. */
    async confirmEnrolment(principal: Authenticated, input: { code: string }, client: ClientInfo): Promise<{ recoveryCodes: string[] }> {
      const { userId, tenantId } = principal;
      await throttle.check(throttleKey(userId), client.ip);
      const factor = await findTotpFactor(db, userId);
      if (!factor) throw twoFactorErrors.noPendingEnrolment();
      if (factor.confirmed) throw twoFactorErrors.alreadyEnabled();
      const proof = proofOf(userId, factor.secretEncrypted, input.code);
      if (proof?.kind !== 'totp') {
        await throttle.recordFailure(throttleKey(userId), client.ip);
        throw twoFactorErrors.invalidEnrolmentCode();
      }
      const recoveryCodes = Array.from({ length: recoveryCodeCount }, newRecoveryCode);
      const confirmed = await withTenant(db, { tenantId, userId }, async (tx) => {
        if (!(await confirmFactor(tx, userId, proof.step, recoveryCodes.map((code) => hashCode(normalizeRecoveryCode(code)))))) return false;
        await events.record(tx, tenantId, { action: 'auth.second_factor_enabled', userId, sessionId: principal.sessionId, details: { method: 'totp' } }, client);
        return true;
      });
      if (!confirmed) throw twoFactorErrors.noPendingEnrolment();
      await throttle.recordSuccess(throttleKey(userId));
      return { recoveryCodes };
    },

    /** Turns the factor off: the current password and a code (TOTP or recovery) are both required. */
    async disable(principal: Authenticated, input: { currentPassword: string; code: string }, client: ClientInfo): Promise<void> {
      const { userId, tenantId } = principal;
      const user = await findUserById(db, userId);
      await options.reauthenticate(user, input.currentPassword, principal, client);
      await throttle.check(throttleKey(userId), client.ip);
      const factor = await findTotpFactor(db, userId);
      if (!factor?.confirmed) throw twoFactorErrors.notEnabled();
      if (!(await spend(userId, proofOf(userId, factor.secretEncrypted, input.code)))) {
        await failure(userId, tenantId, client, 'bad_code');
        throw twoFactorErrors.reauthenticationFailed();
      }
      await throttle.recordSuccess(throttleKey(userId));
      await withTenant(db, { tenantId, userId }, async (tx) => {
        await deleteFactor(tx, userId);
        await events.record(tx, tenantId, { action: 'auth.second_factor_disabled', userId, sessionId: principal.sessionId, details: { method: 'totp' } }, client);
      });
    },
  };
}

export type TwoFactor = ReturnType<typeof createTwoFactor>;
