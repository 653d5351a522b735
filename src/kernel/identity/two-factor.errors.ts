/** Error codes of the second factor (TOTP, recovery codes). Public: add, never rename. */
import { AppError } from '../shared/index.ts';

export const twoFactorErrors = {
  /** The password was right; the login completes at POST /v1/auth/login/2fa with this challenge and a code. */
  secondFactorRequired: (challenge: string, expiresIn: number) =>
    new AppError('unauthenticated', 'identity.second_factor_required', 'Second factor required', {
      detail: 'Send the challenge with a code of your authenticator app (or a recovery code) to POST /v1/auth/login/2fa.',
      extensions: { challenge, expiresIn, methods: ['totp', 'recovery_code'] },
    }),
  invalidChallenge: () =>
    new AppError('unauthenticated', 'identity.invalid_second_factor_challenge', 'Invalid challenge', { detail: 'The login challenge is unknown, expired or already used; log in again.' }),
  invalidCode: () =>
    new AppError('unauthenticated', 'identity.invalid_second_factor_code', 'Invalid code', { detail: 'The code is wrong, expired or already used.', errors: [{ pointer: '/code', detail: 'not accepted' }] }),
  invalidEnrolmentCode: () =>
    new AppError('invalid', 'identity.invalid_totp_code', 'Invalid code', { detail: 'The code does not match the secret being enrolled; check the device clock and try the current code.', errors: [{ pointer: '/code', detail: 'not accepted' }] }),
  /** Turning the factor off with a wrong code: the same code as a wrong current password. */
  reauthenticationFailed: () =>
    new AppError('forbidden', 'identity.reauthentication_failed', 'Current code required', { detail: 'The code is wrong, expired or already used.', errors: [{ pointer: '/code', detail: 'not accepted' }] }),
  /** The stored secret does not open (IDENTITY_TOTP_KEY changed, or the row was altered): an operator matter. */
  secretUnreadable: (cause: unknown) =>
    new AppError('unavailable', 'identity.second_factor_unavailable', 'Second factor unavailable', {
      detail: 'The authenticator code cannot be checked for this account right now; use a recovery code, or ask an administrator.',
      cause,
    }),
  alreadyEnabled: () => new AppError('conflict', 'identity.second_factor_enabled', 'Second factor already on', { detail: 'Two-factor authentication is already on; turn it off first to enrol another device.' }),
  noPendingEnrolment: () => new AppError('conflict', 'identity.no_pending_enrolment', 'No enrolment started', { detail: 'Start an enrolment with POST /v1/auth/2fa/totp first.' }),
  notEnabled: () => new AppError('conflict', 'identity.second_factor_not_enabled', 'Second factor off', { detail: 'Two-factor authentication is not on for this account.' }),
};
