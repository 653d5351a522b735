/**
 * Invitations into a tenant. Glossary: invitation = an address, a role and a single-use link that
 * expires, sent by an owner or admin; accept = following the link: an existing account joins the
 * tenant (signed in, or with its password), a new address creates its account with a password.
 */
import type { TenantContext } from '../db/index.ts';
import type { ClientInfo, TokenPair } from './identity.contract.ts';

export type InvitationState = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface Invitation {
  id: string;
  email: string;
  role: string;
  state: InvitationState;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  acceptedBy: string | null;
  revokedAt: string | null;
}

export interface InvitationInput {
  email: string;
  role: string;
}

export interface AcceptInvitationInput {
  token: string;
  /** An existing account's password, or the new account's password (the password policy applies). */
  password?: string;
  /** The new account's name (required for a new account). */
  name?: string;
  locale?: string;
}

export interface InvitationAdmin {
  invite(context: TenantContext, input: InvitationInput, client: ClientInfo): Promise<Invitation>;
  list(context: TenantContext): Promise<Invitation[]>;
  revoke(context: TenantContext, id: string): Promise<void>;
  /** `bearer`: the access token of a signed-in user, if the request carried one. Answers a token pair for the tenant. */
  accept(input: AcceptInvitationInput, bearer: string | undefined, client: ClientInfo): Promise<TokenPair>;
}
