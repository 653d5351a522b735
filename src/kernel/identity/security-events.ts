/**
 * The security events identity writes to the audit log, and the narrow seam it writes them through
 * (kernel/audit implements it; compose.ts injects it). Details never carry personal data: no e-mail
 * address, no password, no token; users are named by id only.
 */
import type { TenantTx } from '../db/index.ts';
import type { SecurityEventInput } from '../audit/index.ts';
import type { ClientInfo } from './identity.contract.ts';

export type IdentityEventAction =
  | 'auth.signed_up'
  | 'auth.login_succeeded'
  | 'auth.login_failed'
  | 'auth.lockout_started'
  | 'auth.logged_out'
  | 'auth.refresh_token_reused'
  | 'auth.session_revoked'
  | 'auth.tenant_switched'
  | 'auth.email_verified'
  | 'auth.email_verification_requested'
  | 'auth.account_exists_notified'
  | 'auth.email_change_requested'
  | 'auth.email_changed'
  | 'auth.password_reset_requested'
  | 'auth.password_reset_completed'
  | 'auth.password_changed'
  | 'auth.second_factor_enabled'
  | 'auth.second_factor_disabled'
  | 'auth.second_factor_failed';

/** What identity needs of kernel/audit. */
export interface SecurityEventLog {
  recordSecurityEvent(tx: TenantTx, event: SecurityEventInput, context?: { tenantId?: string; userId?: string | null; requestId?: string | null; ip?: string | null }): Promise<unknown>;
  recordPlatformSecurityEvent(event: SecurityEventInput): Promise<unknown>;
}

/** A log that drops everything (identity composed without audit, e.g. unit tests). */
export const noSecurityEvents: SecurityEventLog = {
  recordSecurityEvent: async () => undefined,
  recordPlatformSecurityEvent: async () => undefined,
};

export interface IdentityEvent {
  action: IdentityEventAction;
  /** The user the event is about (the actor); null for an unknown account. */
  userId: string | null;
  sessionId?: string;
  details?: Record<string, string | number | boolean | null>;
}

function inputOf(event: IdentityEvent, client: ClientInfo | undefined): SecurityEventInput {
  return {
    action: event.action,
    actor: event.userId ? { kind: 'user', id: event.userId } : { kind: 'anonymous', id: null },
    entity: event.sessionId ? 'session' : event.userId ? 'user' : null,
    recordId: event.sessionId ?? event.userId ?? null,
    details: event.details ?? {},
    requestId: client?.requestId ?? null,
    ip: client?.ip ?? null,
  };
}

/** Binds the log to identity's event shape. */
export function createIdentityEvents(log: SecurityEventLog) {
  return {
    /** In the caller's tenant transaction: commits or rolls back with the work it describes. */
    record: (tx: TenantTx, tenantId: string, event: IdentityEvent, client?: ClientInfo) => log.recordSecurityEvent(tx, inputOf(event, client), { tenantId }),
    /** Events that belong to no tenant (an unknown account): the platform chain, in its own transaction. */
    recordPlatform: (event: IdentityEvent, client?: ClientInfo) => log.recordPlatformSecurityEvent(inputOf(event, client)),
  };
}

export type IdentityEvents = ReturnType<typeof createIdentityEvents>;
