/** Error codes of the identity module. Codes are public: add, never rename. */
import { AppError } from '../shared/index.ts';

export type PasswordProblem = 'password_too_short' | 'password_too_long' | 'password_breached' | 'password_invalid';

const passwordDetails: Record<PasswordProblem, string> = {
  password_too_short: 'The password must have at least 8 characters; 15 or more is recommended.',
  password_too_long: 'The password must have at most 1024 characters.',
  password_breached: 'This password is among the most common or breached passwords; choose another.',
  password_invalid: 'The password contains characters that cannot be used (control characters or unpaired surrogates).',
};

export const passwordRejected = (problem: PasswordProblem) =>
  new AppError('invalid', `identity.${problem}`, 'Password not accepted', { detail: passwordDetails[problem], errors: [{ pointer: '/password', detail: passwordDetails[problem] }] });

/** The one answer to a failed login, whether the account exists or not. */
export const invalidCredentials = () =>
  new AppError('unauthenticated', 'identity.invalid_credentials', 'Invalid credentials', { detail: 'The e-mail, password or tenant is not correct.' });

export const invalidToken = () =>
  new AppError('unauthenticated', 'identity.invalid_token', 'Invalid token', { detail: 'The access token is missing, malformed, expired or revoked.' });

export const invalidRefreshToken = () =>
  new AppError('unauthenticated', 'identity.invalid_refresh_token', 'Invalid refresh token', { detail: 'The refresh token is unknown, expired, already used or revoked.' });

export const tooManyAttempts = (retryAfterSeconds: number) =>
  new AppError('rate_limited', 'identity.too_many_attempts', 'Too many attempts', {
    detail: `Too many failed attempts; try again in ${retryAfterSeconds} s. Resetting the password stays possible.`,
    extensions: { retryAfter: retryAfterSeconds },
  });

export const invalidSignUp = (errors: { pointer: string; detail: string }[]) =>
  new AppError('invalid', 'identity.invalid_sign_up', 'Invalid sign-up', { detail: errors.map((error) => `${error.pointer}: ${error.detail}`).join('; '), errors });

export const sessionNotFound = () => new AppError('not_found', 'identity.session_not_found', 'Session not found', { detail: 'No such session of yours.' });

export const notAMember = () =>
  new AppError('forbidden', 'identity.not_a_member', 'Not a member', { detail: 'You are not a member of that tenant.' });

export const rateLimited = (retryAfterSeconds: number) =>
  new AppError('rate_limited', 'identity.rate_limited', 'Too many requests', { detail: `Too many requests; retry in ${retryAfterSeconds} s.`, extensions: { retryAfter: retryAfterSeconds } });
