/** Error codes of invitations. Public: add, never rename. */
import { AppError, type FieldError } from '../shared/index.ts';

export const invitationErrors = {
  invalidInvitation: (errors: FieldError[]) =>
    new AppError('invalid', 'identity.invalid_invitation', 'Invalid invitation', { detail: errors.map((error) => error.detail).join('; '), errors }),
  /** One answer for an unknown, expired, revoked or used link: the holder learns nothing more. */
  invalidInvitationToken: () =>
    new AppError('invalid', 'identity.invalid_invitation_token', 'Invalid invitation link', {
      detail: 'The invitation link is unknown, expired, revoked or already used; ask for a new invitation.',
    }),
  invitationEmailMismatch: () =>
    new AppError('forbidden', 'identity.invitation_email_mismatch', 'Invitation for another address', {
      detail: 'This invitation was sent to another e-mail address than the one of the account you are signed in with.',
    }),
  alreadyAMember: () => new AppError('conflict', 'identity.already_a_member', 'Already a member', { detail: 'This address already belongs to a member of the tenant.' }),
  invitationNotFound: () => new AppError('not_found', 'identity.invitation_not_found', 'Invitation not found', { detail: 'No open invitation with this id in this tenant.' }),
};
