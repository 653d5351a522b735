/** Error codes of the account flows (verification, reset, credential changes). Public: add, never rename. */
import { AppError } from '../shared/index.ts';

export const invalidVerificationToken = () =>
  new AppError('invalid', 'identity.invalid_verification_token', 'Invalid verification link', { detail: 'The verification link is unknown, expired or already used.' });

export const invalidResetToken = () =>
  new AppError('invalid', 'identity.invalid_reset_token', 'Invalid reset link', { detail: 'The password reset link is unknown, expired or already used; ask for a new one.' });

export const reauthenticationFailed = () =>
  new AppError('forbidden', 'identity.reauthentication_failed', 'Current password required', { detail: 'The current password is not correct.', errors: [{ pointer: '/currentPassword', detail: 'not correct' }] });

export const invalidEmail = () =>
  new AppError('invalid', 'identity.invalid_email', 'Invalid e-mail address', { detail: 'Give an e-mail address of at most 254 characters.', errors: [{ pointer: '/newEmail', detail: 'an e-mail address' }] });

export const emailTaken = () => new AppError('conflict', 'identity.email_taken', 'Address in use', { detail: 'Another account uses this e-mail address.' });
