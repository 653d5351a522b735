/**
 * Feature flags: per tenant switches evaluated on the server for one principal, changed by admins
 * (every change audited in its own transaction) and read by clients as `{ key: boolean }`.
 * Glossary: flag = a tenant's named switch (`checkout.new-flow`); kill switch = `enabled`: when false
 * the flag is off for everyone, whatever its rules; target = one kind of rule (roles, users,
 * attributes, percentage); rollout bucket = a principal's stable number 0..9999 for one flag, the
 * first 4 bytes of SHA-256(`<tenantId>:<key>:<userId, else apiKeyId>`) modulo 10,000.
 * Evaluation: disabled -> off; enabled with no target named in `rules` -> on for every principal;
 * otherwise on when ANY target matches (OR): the user id is listed, one of the principal's roles is
 * listed, one named attribute has a listed value (an array attribute: any of its elements), or the
 * bucket is below percentage x 100. A target that is named with an empty list matches nobody. A
 * principal with neither a user id nor an API key id is never in a percentage rollout.
 */
import type { TenantContext, TenantTx } from '../db/index.ts';

export type FlagAttributeValue = string | number | boolean;

/** Who a flag is on for; see the glossary for how the targets combine. */
export interface FlagRules {
  roles?: string[];
  /** User ids (UUIDs, stored lower case). */
  users?: string[];
  /** 0 to 100, at most two decimals (0.01 % = one bucket in 10,000). */
  percentage?: number;
  /** Principal attribute name -> values that turn the flag on. */
  attributes?: Record<string, FlagAttributeValue[]>;
}

export interface FeatureFlag {
  key: string;
  description: string | null;
  enabled: boolean;
  rules: FlagRules;
  /** Bumped by every change: the ETag, for If-Match. */
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
}

/** A flag's definition as an admin writes it (PUT replaces all of it). */
export interface FeatureFlagInput {
  description?: string | null;
  enabled: boolean;
  rules?: FlagRules;
}

/** What evaluation reads of a principal (a request's tenant context). */
export type FlagPrincipal = Pick<TenantContext, 'tenantId' | 'userId' | 'apiKeyId' | 'roles' | 'attributes'>;

/** An If-Match precondition: a version, or `*` (the flag must exist). */
export type FlagPrecondition = number | 'any';

/** Evaluation, for the client routes and for server code (a later GET /v1/config composes it). */
export interface FeatureFlagEvaluator {
  /** Every flag of the context's tenant, on or off for the context's principal. One query; in `tx` when given. */
  evaluate(context: TenantContext, tx?: TenantTx): Promise<Record<string, boolean>>;
  /** One flag for the principal; an unknown flag is off. */
  isEnabled(context: TenantContext, key: string, tx?: TenantTx): Promise<boolean>;
}

/**
 * Management of a tenant's flags. Who may call is decided by the caller (the admin routes are
 * guarded: owners, admins and tenant roles granted `flags.manage`); in-process callers are trusted.
 */
export interface FeatureFlagAdmin {
  listFlags(context: TenantContext): Promise<FeatureFlag[]>;
  /** Throws flags.not_found. */
  getFlag(context: TenantContext, key: string): Promise<FeatureFlag>;
  /** Creates or replaces; an unchanged definition is not written again (no new version, no audit event). */
  putFlag(context: TenantContext, key: string, input: FeatureFlagInput, options?: { ifMatch?: FlagPrecondition }): Promise<{ flag: FeatureFlag; created: boolean }>;
  deleteFlag(context: TenantContext, key: string, options?: { ifMatch?: FlagPrecondition }): Promise<void>;
}

export interface FeatureFlags extends FeatureFlagEvaluator, FeatureFlagAdmin {}

export type FlagChangeAction = 'flag.created' | 'flag.updated' | 'flag.deleted';

/** What flags need of kernel/audit (its recordSecurityEvent), in the change's own transaction. */
export interface FlagAuditRecorder {
  recordSecurityEvent(
    tx: TenantTx,
    event: { action: FlagChangeAction; entity: string; recordId: string; details: Record<string, unknown> },
    context: Partial<TenantContext>,
  ): Promise<unknown>;
}
