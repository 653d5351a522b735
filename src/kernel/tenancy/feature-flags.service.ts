/**
 * Feature flags of a tenant: definitions checked and versioned, every change audited in its own
 * transaction (flag.created / flag.updated / flag.deleted with before and after), evaluation on the
 * server from one query. Flags are read per evaluation, never cached, so a change applies to the
 * next request on every node.
 */
import type { Kysely } from 'kysely';
import { withTenant, type TenantContext, type TenantTx } from '../db/index.ts';
import type { FeatureFlag, FeatureFlags, FlagAuditRecorder, FlagChangeAction, FlagPrecondition } from './feature-flags.contract.ts';
import { flagErrors } from './feature-flags.errors.ts';
import { evaluateFlag } from './feature-flags.evaluation.ts';
import { deleteFlag, findFlag, insertFlag, selectFlags, selectFlagStates, updateFlag } from './feature-flags.repository.ts';
import { isFlagKey, normalizeFlag, type FlagDefinition } from './feature-flags.validation.ts';

/** The audit log's entity name for flags (recordId = the flag's key). */
export const flagAuditEntity = 'featureFlag';

export interface FeatureFlagOptions {
  /** kernel/audit: every change is recorded with it, or not made. */
  audit: FlagAuditRecorder;
}

const definitionOf = (flag: FeatureFlag): FlagDefinition => ({ description: flag.description, enabled: flag.enabled, rules: flag.rules });

/** JSON with object keys sorted: jsonb does not keep the order a definition was written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** RFC 9110 §13.1.1: If-Match fails when the flag is missing (even for `*`) or has another version. */
function checkPrecondition(key: string, current: FeatureFlag | undefined, ifMatch: FlagPrecondition | undefined): void {
  if (ifMatch === undefined) return;
  if (!current) throw flagErrors.versionMismatch(key, null);
  if (ifMatch !== 'any' && ifMatch !== current.version) throw flagErrors.versionMismatch(key, current.version);
}

export function createFeatureFlags(db: Kysely<any>, options: FeatureFlagOptions): FeatureFlags {
  const { audit } = options;
  const record = (tx: TenantTx, context: TenantContext, action: FlagChangeAction, key: string, details: Record<string, unknown>) =>
    audit.recordSecurityEvent(tx, { action, entity: flagAuditEntity, recordId: key, details }, context);
  const inTenant = <T>(context: TenantContext, tx: TenantTx | undefined, work: (tx: TenantTx) => Promise<T>) => (tx ? work(tx) : withTenant(db, context, work));

  return {
    async evaluate(context, tx) {
      const flags = await inTenant(context, tx, (inner) => selectFlagStates(inner, context.tenantId));
      return Object.fromEntries(flags.map((flag) => [flag.key, evaluateFlag(flag, context)]));
    },
    async isEnabled(context, key, tx) {
      if (!isFlagKey(key)) return false;
      const [flag] = await inTenant(context, tx, (inner) => selectFlagStates(inner, context.tenantId, key));
      return flag !== undefined && evaluateFlag(flag, context);
    },
    listFlags: (context) => withTenant(db, context, (tx) => selectFlags(tx, context.tenantId)),
    async getFlag(context, key) {
      const flag = isFlagKey(key) ? await withTenant(db, context, (tx) => findFlag(tx, context.tenantId, key)) : undefined;
      if (!flag) throw flagErrors.notFound(key);
      return flag;
    },
    async putFlag(context, key, input, { ifMatch } = {}) {
      const definition = normalizeFlag(key, input);
      const userId = context.userId ?? null;
      return withTenant(db, context, async (tx) => {
        // Twice at most: an insert that loses to a concurrent create finds that flag on the next read.
        for (let attempt = 0; attempt < 2; attempt++) {
          const current = await findFlag(tx, context.tenantId, key, { lock: true });
          checkPrecondition(key, current, ifMatch);
          if (current) {
            if (canonical(definitionOf(current)) === canonical(definition)) return { flag: current, created: false };
            const updated = (await updateFlag(tx, context.tenantId, key, definition, userId))!;
            await record(tx, context, 'flag.updated', key, { before: definitionOf(current), after: definitionOf(updated) });
            return { flag: updated, created: false };
          }
          const created = await insertFlag(tx, context.tenantId, key, definition, userId);
          if (created) {
            await record(tx, context, 'flag.created', key, { after: definitionOf(created) });
            return { flag: created, created: true };
          }
        }
        throw flagErrors.concurrentUpdate(key);
      });
    },
    async deleteFlag(context, key, { ifMatch } = {}) {
      if (!isFlagKey(key)) throw flagErrors.notFound(key);
      await withTenant(db, context, async (tx) => {
        const current = await findFlag(tx, context.tenantId, key, { lock: true });
        if (!current) throw flagErrors.notFound(key);
        checkPrecondition(key, current, ifMatch);
        await deleteFlag(tx, context.tenantId, key);
        await record(tx, context, 'flag.deleted', key, { before: definitionOf(current) });
      });
    },
  };
}
