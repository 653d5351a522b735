/**
 * The review side of ingestion's service: deciding cases (reviews of likely duplicates, conflicts with
 * local edits), dismissing them, listing merges and unlinking one. Decisions write with the trusted
 * rights of a load (the person is recorded; roles do not narrow master data upkeep), like a run.
 */
import type { Kysely } from 'kysely';
import { withTenant, type TenantContext } from '../../db/index.ts';
import type { EntityDef } from '../../model/index.ts';
import type { RecordService } from '../../records/index.ts';
import { isUuid } from '../../shared/index.ts';
import { listMerges, type StoredMerge } from './match.repository.ts';
import { matchErrors } from './match.errors.ts';
import { dismissCase, resolveCase, unlinkMerge, type CaseDecision, type CaseOutcome, type UnlinkOutcome } from './resolve-cases.ts';

export interface ReviewService {
  /** Resolves an open case: a review by `merge` (into its candidate) or `distinct` (its own record), a conflict by `keepLocal` or `takeSource`. */
  resolveCase(context: TenantContext, caseId: string, decision: CaseDecision): Promise<CaseOutcome>;
  /** Closes an open case without writing anything. */
  dismissCase(context: TenantContext, caseId: string): Promise<void>;
  /** Merges (source keys linked to existing records), newest first; of one record or source key when given. */
  listMerges(context: TenantContext, filter?: { recordId?: string; sourceKey?: string; limit?: number }): Promise<StoredMerge[]>;
  /** Reverses a merge: the source key gets its own record, the survivor its fields back. */
  unlinkMerge(context: TenantContext, mergeId: string): Promise<UnlinkOutcome>;
}

export function createReviewService(deps: { db: Kysely<any>; records: RecordService; entityOf: (name: string) => EntityDef }): ReviewService {
  const trusted = (context: TenantContext): TenantContext => ({ tenantId: context.tenantId, userId: context.userId ?? null, apiKeyId: context.apiKeyId ?? null, requestId: context.requestId ?? null });
  const caseId = (id: string) => {
    if (!isUuid(id)) throw matchErrors.caseNotFound();
    return id.toLowerCase();
  };
  return {
    resolveCase: async (context, id, decision) => resolveCase(deps, trusted(context), caseId(id), decision),
    dismissCase: async (context, id) => dismissCase(deps, trusted(context), caseId(id)),
    async listMerges(context, filter = {}) {
      if (filter.recordId !== undefined && !isUuid(filter.recordId)) return [];
      const by = { ...(filter.recordId ? { recordId: filter.recordId.toLowerCase() } : {}), ...(filter.sourceKey ? { sourceKey: filter.sourceKey } : {}) };
      return withTenant(deps.db, context, (tx) => listMerges(tx, context.tenantId, by, Math.min(Math.max(filter.limit ?? 100, 1), 1000)));
    },
    async unlinkMerge(context, id) {
      if (!isUuid(id)) throw matchErrors.mergeNotFound();
      return unlinkMerge(deps, trusted(context), id.toLowerCase());
    },
  };
}
