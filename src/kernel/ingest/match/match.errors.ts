/** Error codes of review cases and merges (kernel/ingest/match). Public contract: add, never rename. */
import { AppError } from '../../shared/index.ts';

export const matchErrors = {
  caseNotFound: () => new AppError('not_found', 'ingest.case_not_found', 'Case not found', { detail: 'No ingestion case with this id in this tenant.' }),
  caseClosed: (status: string) => new AppError('conflict', 'ingest.case_closed', 'Case already closed', { detail: `The case is ${status}; only open cases can be resolved or dismissed.` }),
  decisionNotApplicable: (kind: string, decision: string, allowed: readonly string[]) =>
    new AppError('invalid', 'ingest.decision_not_applicable', 'Decision not applicable', { detail: `A ${kind} case is not resolved by "${decision}"; use ${allowed.join(' or ')}.`, errors: [{ pointer: '/decision', detail: `one of ${allowed.join(', ')}` }] }),
  caseStale: (sourceKey: string) => new AppError('conflict', 'ingest.case_stale', 'Case overtaken', { detail: `The source key "${sourceKey}" was loaded since the case opened; dismiss the case.` }),
  candidateGone: () => new AppError('conflict', 'ingest.candidate_gone', 'Candidate record gone', { detail: 'The record this row was to be merged into no longer exists; resolve the case as distinct or dismiss it.' }),
  recordGone: () => new AppError('conflict', 'ingest.record_gone', 'Record gone', { detail: 'The record of this case no longer exists; dismiss the case.' }),
  mergeNotFound: () => new AppError('not_found', 'ingest.merge_not_found', 'Merge not found', { detail: 'No merge with this id in this tenant.' }),
  mergeReverted: () => new AppError('conflict', 'ingest.merge_reverted', 'Merge already reverted', { detail: 'This merge was unlinked before.' }),
  invalidThresholds: (detail: string) =>
    new AppError('invalid', 'ingest.invalid_thresholds', 'Invalid fuzzy thresholds', { detail: `The tenant setting ingest.fuzzy is not usable: ${detail}. It is { "high": number, "low": number } with 0 < low <= high <= 1 (either may be left out).` }),
  mergeStale: (sourceKey: string) => new AppError('conflict', 'ingest.merge_stale', 'Merge overtaken', { detail: `The source key "${sourceKey}" no longer points at the merged record; there is nothing to unlink.` }),
};
