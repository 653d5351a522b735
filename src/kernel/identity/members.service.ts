/**
 * Members of a tenant, for its administrators: list, change a role, remove. A role change and a
 * removal evict the user's cached sessions, so the next request (same access token) acts with the
 * new role or is refused: on every node when they share Redis, else other nodes follow within
 * IDENTITY_SESSION_CACHE_MS.
 */
import type { Kysely } from 'kysely';
import { withTenant, type TenantContext } from '../db/index.ts';
import { isUuid } from '../shared/index.ts';
import type { RoleCatalog, SecurityEventRecorder } from './api-keys.contract.ts';
import { adminErrors } from './api-keys.errors.ts';
import { listMembers, lockMemberRoles, removeMember, setMemberRole, type MemberRow } from './members.repository.ts';
import { assertAdministrator, assertAssignable, assertOwner, ownerRole } from './tenant-admin.ts';

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: string;
  createdAt: string;
  updatedAt: string;
}

export interface MemberAdmin {
  list(context: TenantContext): Promise<Member[]>;
  changeRole(context: TenantContext, userId: string, role: string): Promise<Member>;
  remove(context: TenantContext, userId: string): Promise<void>;
}

/** What the member admin needs of the session cache: forget a user's sessions in a tenant. */
export interface SessionEviction {
  forgetUserIn(tenantId: string, userId: string): void;
}

const toMember = (row: MemberRow): Member => ({ ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() });

export function createMemberAdmin(options: { db: Kysely<any>; roles: RoleCatalog; sessions: SessionEviction; audit?: SecurityEventRecorder | undefined }): MemberAdmin {
  const { db, roles, sessions, audit } = options;
  const userIdOf = (userId: string) => {
    if (!isUuid(userId)) throw adminErrors.memberNotFound();
    return userId.toLowerCase();
  };
  return {
    async list(context) {
      assertAdministrator(context, 'members');
      return (await withTenant(db, context, (tx) => listMembers(tx, context.tenantId))).map(toMember);
    },

    async changeRole(context, userId, role) {
      assertAdministrator(context, 'members');
      const id = userIdOf(userId);
      await assertAssignable(context, role, roles);
      const changed = await withTenant(db, context, async (tx) => {
        const current = await lockMemberRoles(tx, context.tenantId, id);
        if (current.role === undefined) throw adminErrors.memberNotFound();
        if (current.role === ownerRole && role !== ownerRole) {
          assertOwner(context);
          if (current.owners <= 1) throw adminErrors.lastOwner();
        }
        const row = await setMemberRole(tx, context.tenantId, id, role);
        if (current.role !== role) {
          await audit?.recordSecurityEvent(tx, { action: 'member.role_changed', entity: 'member', recordId: id, details: { before: current.role, after: role } }, context);
        }
        return row!;
      });
      sessions.forgetUserIn(context.tenantId, id);
      return toMember(changed);
    },

    async remove(context, userId) {
      assertAdministrator(context, 'members');
      const id = userIdOf(userId);
      // Evicted before and after: no request of this node reuses the old state once the removal commits.
      sessions.forgetUserIn(context.tenantId, id);
      await withTenant(db, context, async (tx) => {
        const current = await lockMemberRoles(tx, context.tenantId, id);
        if (current.role === undefined) throw adminErrors.memberNotFound();
        if (current.role === ownerRole) {
          assertOwner(context);
          if (current.owners <= 1) throw adminErrors.lastOwner();
        }
        await removeMember(tx, context.tenantId, id);
        await audit?.recordSecurityEvent(tx, { action: 'member.removed', entity: 'member', recordId: id, details: { role: current.role } }, context);
      });
      sessions.forgetUserIn(context.tenantId, id);
    },
  };
}
