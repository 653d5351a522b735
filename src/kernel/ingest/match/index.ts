/**
 * Duplicate matching of ingestion (kernel/ingest/match). Contract: reconcile-chunk hands over the
 * chunk's planned writes after the cross-reference and the exact keys (`matchChunk`); rows it would
 * create are compared with the entity's records and the earlier rows of the file by pg_trgm similarity
 * of their match keys, blocked by the spec's `blockBy` values, and linked (score >= high), held as a
 * review case (low <= score < high) or left to create. Every link writes per survivorship and is kept
 * as a merge. Resolutions (`resolveCase`, `dismissCase`, `unlinkMerge`) write through the record service.
 * Glossary: match key = a field's value folded for comparison (legal forms, street spellings, accents
 * erased); profile = the fuzzy fields, block fields and their keying, by hash; block = the records
 * sharing the block fields' values (a postal code); candidate = a record (or earlier row) scored
 * against a row; merge = a source key linked to an existing record, reversible by unlink.
 */
export { matchChunk, planLink, sourceOwnedOf } from './match-chunk.ts';
export { applyInput } from './survivorship.ts';
export type { ChunkMatching, MatchRow, MatchTarget, MatchWrite } from './match-chunk.ts';
export type { MergePlan } from './survivorship.ts';
export { withTenantThresholds } from './fuzzy-thresholds.ts';
export { matchProfileOf } from './match-profile.ts';
export { createReviewService } from './review.service.ts';
export { registerReviewRoutes } from './review.routes.ts';
export type { ReviewService } from './review.service.ts';
export type { CaseDecision, CaseOutcome, UnlinkOutcome } from './resolve-cases.ts';
export type { StoredMerge } from './match.repository.ts';
export { matchErrors } from './match.errors.ts';
