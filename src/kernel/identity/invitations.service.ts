/**
 * Invitations: an owner or admin invites an address with a role (only owners invite owners); the
 * link (`<tenantId>.<secret>` as the other mailed links, SHA-256 at rest) is single use and expires.
 * Accepting is bound to the invited address: a signed-in account must be that address's account, an
 * existing account without a session gives its password (throttled like a login, second factor
 * still asked), and an address with no account creates one (password policy applies; the address
 * counts as verified, the link proved the mailbox).
 */
import type { Kysely } from 'kysely';
import { withTenant } from '../db/index.ts';
import { administratorRoles } from '../access/index.ts';
import type { MailQueue } from '../mail/index.ts';
import { isUuid, newId, type FieldError } from '../shared/index.ts';
import type { TenantDirectory } from '../tenancy/index.ts';
import type { RoleCatalog } from './api-keys.contract.ts';
import { adminErrors } from './api-keys.errors.ts';
import { emailTaken } from './account.errors.ts';
import type { BearerAuthenticator, ClientInfo } from './identity.contract.ts';
import { invalidCredentials } from './identity.errors.ts';
import { findRole, findUserByEmail, upsertMembership } from './identity.repository.ts';
import { normalizeEmail, type IdentitySessions } from './identity.service.ts';
import type { Invitation, InvitationAdmin, InvitationState } from './invitations.contract.ts';
import { invitationErrors } from './invitations.errors.ts';
import { findLiveInvitation, insertInvitation, insertInvitedUser, isMemberByEmail, listInvitations, markAccepted, revokeInvitation, revokeOpenInvitationOf, type InvitationRow } from './invitations.repository.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { hashPassword, verifyPassword } from './password-hashing.ts';
import { checkNewPassword, normalizePassword } from './password-policy.ts';
import type { SecurityEventLog } from './security-events.ts';
import { assertAdministrator, assertAssignable, ownerRole } from './tenant-admin.ts';
import { linkTo, newUserToken, parseUserToken } from './user-tokens.ts';
import { findUserById } from './user-tokens.repository.ts';

export interface InvitationOptions {
  db: Kysely<any>;
  tenants: TenantDirectory;
  roles: RoleCatalog;
  mail: MailQueue | undefined;
  audit: SecurityEventLog;
  throttle: LoginThrottle;
  sessions: IdentitySessions;
  tokens: BearerAuthenticator;
  linkBase: string;
  ttlSeconds: number;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const iso = (value: Date | null) => (value ? value.toISOString() : null);

function stateOf(row: InvitationRow): InvitationState {
  if (row.acceptedAt) return 'accepted';
  if (row.revokedAt) return 'revoked';
  return row.expiresAt.getTime() <= Date.now() ? 'expired' : 'pending';
}

const toInvitation = (row: InvitationRow): Invitation => ({
  id: row.id,
  email: row.email,
  role: row.role,
  state: stateOf(row),
  invitedBy: row.invitedBy,
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt.toISOString(),
  acceptedAt: iso(row.acceptedAt),
  acceptedBy: row.acceptedBy,
  revokedAt: iso(row.revokedAt),
});

export function createInvitationAdmin(options: InvitationOptions): InvitationAdmin {
  const { db, tenants, roles, mail, audit, throttle, sessions } = options;

  /** The inviter must still hold the authority the invitation needs (an owner for the owner role). */
  const inviterStillEntitled = async (tx: Parameters<typeof findRole>[0], tenantId: string, row: InvitationRow): Promise<boolean> => {
    if (!row.invitedBy) return true;
    const role = await findRole(tx, tenantId, row.invitedBy);
    if (row.role === ownerRole) return role === ownerRole;
    return role !== undefined && (administratorRoles as readonly string[]).includes(role);
  };

  /** Who accepts: the signed-in account, the account proven by its password, or a new account. */
  const resolveAccount = async (row: InvitationRow, input: { password?: string | undefined; name?: string | undefined }, bearer: string | undefined, client: ClientInfo) => {
    const existing = await findUserByEmail(db, row.emailNormalized);
    if (bearer !== undefined) {
      const signedIn = await options.tokens.authenticate(bearer);
      if (!existing || signedIn.userId !== existing.id) throw invitationErrors.invitationEmailMismatch();
      return { kind: 'signed_in' as const, userId: existing.id };
    }
    if (existing) {
      if (input.password === undefined) throw invitationErrors.invalidInvitation([{ pointer: '/password', detail: 'the password of the account of this address (or sign in first)' }]);
      await throttle.check(row.emailNormalized, client.ip);
      if (!(await verifyPassword(existing.passwordHash, normalizePassword(String(input.password))))) {
        await throttle.recordFailure(row.emailNormalized, client.ip);
        throw invalidCredentials();
      }
      await throttle.recordSuccess(row.emailNormalized);
      return { kind: 'password' as const, userId: existing.id };
    }
    const name = String(input.name ?? '').normalize('NFC').trim();
    const errors: FieldError[] = [];
    if (name.length < 1 || name.length > 200) errors.push({ pointer: '/name', detail: 'the new account needs a name of 1 to 200 characters' });
    if (input.password === undefined) errors.push({ pointer: '/password', detail: 'the new account needs a password' });
    if (errors.length > 0) throw invitationErrors.invalidInvitation(errors);
    const passwordHash = await hashPassword(checkNewPassword(String(input.password)));
    return { kind: 'new' as const, userId: newId(), name, passwordHash };
  };

  return {
    async invite(context, input, client) {
      assertAdministrator(context, 'invitations');
      const email = String(input.email).normalize('NFC').trim();
      if (!emailPattern.test(email) || email.length > 254) throw invitationErrors.invalidInvitation([{ pointer: '/email', detail: 'an e-mail address of at most 254 characters' }]);
      await assertAssignable(context, input.role, roles);
      const emailNormalized = normalizeEmail(email);
      const tenant = await tenants.getTenant(context.tenantId);
      const inviter = context.userId ? await findUserById(db, context.userId) : undefined;
      const invitee = await findUserByEmail(db, emailNormalized);
      const { token, hash } = newUserToken(context.tenantId);
      const row = await withTenant(db, context, async (tx) => {
        if (await isMemberByEmail(tx, context.tenantId, emailNormalized)) throw invitationErrors.alreadyAMember();
        const replaced = await revokeOpenInvitationOf(tx, context.tenantId, emailNormalized, context.userId ?? null);
        const inserted = await insertInvitation(tx, { tenantId: context.tenantId, id: newId(), email, emailNormalized, role: input.role, hash, invitedBy: context.userId ?? null, ttlSeconds: options.ttlSeconds });
        await mail?.queueMail(tx, {
          template: 'invitation',
          to: email,
          locale: invitee?.locale ?? null,
          tenantLocale: tenant.locale,
          data: { link: linkTo(options.linkBase, 'accept-invitation', token), tenantName: tenant.name, expiresInDays: Math.max(1, Math.round(options.ttlSeconds / 86_400)), ...(inviter ? { inviterName: inviter.name } : {}) },
        });
        await audit.recordSecurityEvent(tx, { action: 'invitation.created', entity: 'invitation', recordId: inserted.id, details: { role: input.role, replaced: replaced ?? null } }, { ...context, requestId: client.requestId ?? context.requestId ?? null, ip: client.ip });
        return inserted;
      });
      return toInvitation(row);
    },

    async list(context) {
      assertAdministrator(context, 'invitations');
      return (await withTenant(db, context, (tx) => listInvitations(tx, context.tenantId))).map(toInvitation);
    },

    async revoke(context, id) {
      assertAdministrator(context, 'invitations');
      if (!isUuid(id)) throw invitationErrors.invitationNotFound();
      await withTenant(db, context, async (tx) => {
        const revoked = await revokeInvitation(tx, context.tenantId, id.toLowerCase(), context.userId ?? null);
        if (!revoked) throw invitationErrors.invitationNotFound();
        // Only an owner takes back an owner invitation, as only an owner gives the role (the throw rolls the revocation back).
        if (revoked.role === ownerRole && context.roles !== undefined && !context.roles.includes(ownerRole)) throw adminErrors.ownerOnly();
        await audit.recordSecurityEvent(tx, { action: 'invitation.revoked', entity: 'invitation', recordId: revoked.id, details: { role: revoked.role } }, context);
      });
    },

    async accept(input, bearer, client) {
      const parsed = parseUserToken(input.token);
      if (!parsed) throw invitationErrors.invalidInvitationToken();
      const { tenantId, hash } = parsed;
      const peeked = await withTenant(db, { tenantId }, (tx) => findLiveInvitation(tx, tenantId, hash, false));
      if (!peeked) throw invitationErrors.invalidInvitationToken();
      const account = await resolveAccount(peeked, input, bearer, client);
      await withTenant(db, { tenantId, userId: account.userId }, async (tx) => {
        const row = await findLiveInvitation(tx, tenantId, hash, true);
        if (!row || row.id !== peeked.id) throw invitationErrors.invalidInvitationToken();
        if (!(await inviterStillEntitled(tx, tenantId, row)) || !(await roles.exists({ tenantId }, row.role))) throw invitationErrors.invalidInvitationToken();
        if (account.kind === 'new') {
          await insertInvitedUser(tx, { id: account.userId, email: row.email, emailNormalized: row.emailNormalized, passwordHash: account.passwordHash, name: account.name, locale: input.locale ?? 'en', tenantId }).catch((error: unknown) => {
            // An account for the address was created meanwhile (a sign-up): follow the link again to join with it.
            throw (error as { constraint?: string }).constraint === 'identity_users_email_key' ? emailTaken() : error;
          });
        } else if (await findRole(tx, tenantId, account.userId)) {
          throw invitationErrors.alreadyAMember();
        }
        await upsertMembership(tx, { id: newId(), tenantId, userId: account.userId, role: row.role });
        await markAccepted(tx, tenantId, row.id, account.userId);
        await audit.recordSecurityEvent(
          tx,
          { action: 'invitation.accepted', actor: { kind: 'user', id: account.userId }, entity: 'invitation', recordId: row.id, details: { role: row.role, newAccount: account.kind === 'new' } },
          { tenantId, userId: account.userId, requestId: client.requestId ?? null, ip: client.ip },
        );
      });
      // A password alone does not skip a second factor: with one enrolled, the answer is its challenge.
      if (account.kind === 'password') return sessions.sessionAfterPassword(account.userId, tenantId, client);
      return sessions.openSession(account.userId, tenantId, client, { action: 'auth.login_succeeded', details: { via: 'invitation' } });
    },
  };
}
