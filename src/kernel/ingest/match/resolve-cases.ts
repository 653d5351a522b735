/**
 * A person's decisions on cases and merges, each in one tenant transaction and written through the
 * record service (audit, sync change log): a review is merged into its candidate (survivorship) or
 * loaded as a distinct record; a conflict keeps the local value or takes the source's; any open case
 * can be dismissed; a merge can be unlinked (the source key gets its own record again, from the row it
 * came with and what the source sent since, and the fields the merge changed on the survivor are put
 * back where nobody changed them since).
 */
import type { Kysely } from 'kysely';
import { withTenant, type TenantContext, type TenantTx } from '../../db/index.ts';
import type { EntityDef } from '../../model/index.ts';
import type { RecordService } from '../../records/index.ts';
import { newId } from '../../shared/index.ts';
import type { MappingSpec } from '../ingest.contract.ts';
import { findRun, latestSpec, upsertXref, xrefByKeys } from '../ingest.repository.ts';
import { lineage } from '../lineage.ts';
import { keysOf, matchProfileOf } from './match-profile.ts';
import { matchErrors } from './match.errors.ts';
import { closeCase, findCase, findMerge, insertMerges, markMergeReverted, upsertKeys, type StoredCase } from './match.repository.ts';
import { sourceOwnedOf } from './match-chunk.ts';
import { inputOf, planMerge, planRestore } from './survivorship.ts';

export type CaseDecision = 'merge' | 'distinct' | 'keepLocal' | 'takeSource';

export interface CaseOutcome {
  readonly caseId: string;
  readonly decision: CaseDecision;
  /** The record the case's source key now belongs to (or the record of a conflict). */
  readonly recordId: string;
  /** A merge decision's merge (it can be unlinked). */
  readonly mergeId: string | null;
}

export interface UnlinkOutcome {
  readonly mergeId: string;
  /** The record the source key was merged into. */
  readonly recordId: string;
  /** The source key's own record, created now. */
  readonly splitRecordId: string;
  /** Fields of the survivor put back to their value before the merge. */
  readonly restored: readonly string[];
  /** Fields the merge wrote that changed since, left as they are. */
  readonly kept: readonly string[];
}

export interface ResolutionDeps {
  readonly db: Kysely<any>;
  readonly records: RecordService;
  readonly entityOf: (name: string) => EntityDef;
}

interface Pending {
  readonly record: Record<string, unknown>;
  readonly hash: string;
  readonly rowNumber: number | null;
}

const reviewDecisions = ['merge', 'distinct'] as const;
const conflictDecisions = ['keepLocal', 'takeSource'] as const;

async function specOfRun(tx: TenantTx, tenantId: string, runId: string): Promise<MappingSpec> {
  const run = await findRun(tx, tenantId, runId);
  const stored = run && (await latestSpec(tx, tenantId, run.spec.name, run.spec.version));
  if (!stored) throw new Error(`the run ${runId} or its spec is gone`);
  return stored.spec;
}

const sourceValuesOf = (spec: MappingSpec, record: Record<string, unknown>) => {
  const owned = sourceOwnedOf(spec);
  return Object.fromEntries(Object.entries(record).filter(([field]) => owned.has(field)));
};

/** Re-keys records after a resolution wrote them (when the spec matches fuzzily). */
async function rekey(tx: TenantTx, deps: ResolutionDeps, context: TenantContext, entity: EntityDef, spec: MappingSpec, ids: readonly string[]): Promise<void> {
  const profile = matchProfileOf(spec);
  if (!profile) return;
  const found = await deps.records.findBy(context, entity, 'id', ids, tx);
  const live = new Set(found.map((record) => record.id));
  await upsertKeys(tx, { tenantId: context.tenantId, entity: entity.name, profile: profile.id }, [...found.map((record) => ({ recordId: record.id, keys: keysOf(profile, record), version: Number(record.version) })), ...ids.filter((id) => !live.has(id)).map((id) => ({ recordId: id, keys: null }))]);
}

/** Resolves an open case: a review by merge or distinct, a conflict by keepLocal or takeSource. */
export function resolveCase(deps: ResolutionDeps, context: TenantContext, caseId: string, decision: CaseDecision): Promise<CaseOutcome> {
  return withTenant(deps.db, context, async (tx) => {
    const found = await findCase(tx, context.tenantId, caseId);
    if (!found) throw matchErrors.caseNotFound();
    if (found.status !== 'open') throw matchErrors.caseClosed(found.status);
    const allowed: readonly string[] = found.kind === 'review' ? reviewDecisions : conflictDecisions;
    if (!allowed.includes(decision)) throw matchErrors.decisionNotApplicable(found.kind, decision, allowed);
    const spec = await specOfRun(tx, context.tenantId, found.runId);
    const entity = deps.entityOf(found.entity);
    const outcome = found.kind === 'review' ? await resolveReview(tx, deps, context, { found, spec, entity, decision }) : await resolveConflict(tx, deps, context, { found, spec, entity, decision });
    await closeCase(tx, context.tenantId, caseId, { status: 'resolved', resolution: decision });
    return outcome;
  });
}

async function resolveReview(tx: TenantTx, deps: ResolutionDeps, context: TenantContext, input: { found: StoredCase; spec: MappingSpec; entity: EntityDef; decision: CaseDecision }): Promise<CaseOutcome> {
  const { found, spec, entity, decision } = input;
  const sourceKey = found.sourceKey!;
  const system = found.system ?? spec.system;
  if ((await xrefByKeys(tx, context.tenantId, system, entity.name, [sourceKey])).has(sourceKey)) throw matchErrors.caseStale(sourceKey);
  const pending = found.sourceValue as Pending;
  const link = { sourceKey, contentHash: pending.hash, sourceValues: sourceValuesOf(spec, pending.record), deletedInSource: false };
  if (decision === 'distinct') {
    const id = newId();
    await deps.records.createMany(context, entity, [{ ...pending.record, id }], tx, [lineage(found.runId, system, sourceKey, pending.rowNumber, 'create')]);
    await upsertXref(tx, context.tenantId, system, entity.name, found.runId, [{ ...link, recordId: id }]);
    await rekey(tx, deps, context, entity, spec, [id]);
    return { caseId: found.id, decision, recordId: id, mergeId: null };
  }
  const [candidate] = await deps.records.findBy(context, entity, 'id', [found.candidateId!], tx);
  if (!candidate) throw matchErrors.candidateGone();
  const plan = planMerge(pending.record, candidate, { rules: spec.matching?.survivorship ?? {}, sourceOwned: sourceOwnedOf(spec) });
  await deps.records.updateMany(context, entity, [{ id: candidate.id, input: plan.input, details: lineage(found.runId, system, sourceKey, pending.rowNumber, 'link') }], tx);
  await upsertXref(tx, context.tenantId, system, entity.name, found.runId, [{ ...link, recordId: candidate.id }]);
  const mergeId = newId();
  await insertMerges(tx, context.tenantId, [{ id: mergeId, runId: found.runId, entity: entity.name, system, sourceKey, recordId: candidate.id, match: 'review', score: found.score, sourceRecord: pending.record, contentHash: pending.hash, written: plan.written, previous: plan.previous }]);
  await rekey(tx, deps, context, entity, spec, [candidate.id]);
  return { caseId: found.id, decision, recordId: candidate.id, mergeId };
}

async function resolveConflict(tx: TenantTx, deps: ResolutionDeps, context: TenantContext, input: { found: StoredCase; spec: MappingSpec; entity: EntityDef; decision: CaseDecision }): Promise<CaseOutcome> {
  const { found, spec, entity, decision } = input;
  // The load that opened the case already recorded the source's value as what the source last set:
  // keeping the local value needs no write, and the next load leaves it alone.
  if (decision === 'takeSource') {
    const { missing } = await deps.records.updateMany(context, entity, [{ id: found.recordId, input: inputOf({ [found.field!]: found.sourceValue ?? null }) }], tx);
    if (missing.length > 0) throw matchErrors.recordGone();
    await rekey(tx, deps, context, entity, spec, [found.recordId]);
  }
  return { caseId: found.id, decision, recordId: found.recordId, mergeId: null };
}

/** Dismisses an open case: nothing is written (a dismissed review's row is loaded again by the next load that has it). */
export function dismissCase(deps: ResolutionDeps, context: TenantContext, caseId: string): Promise<void> {
  return withTenant(deps.db, context, async (tx) => {
    const found = await findCase(tx, context.tenantId, caseId);
    if (!found) throw matchErrors.caseNotFound();
    if (found.status !== 'open') throw matchErrors.caseClosed(found.status);
    await closeCase(tx, context.tenantId, caseId, { status: 'dismissed', resolution: null });
  });
}

/** Reverses a merge: the survivor's fields put back, the source key's own record created from its values. */
export function unlinkMerge(deps: ResolutionDeps, context: TenantContext, mergeId: string): Promise<UnlinkOutcome> {
  return withTenant(deps.db, context, async (tx) => {
    const merge = await findMerge(tx, context.tenantId, mergeId, true);
    if (!merge) throw matchErrors.mergeNotFound();
    if (merge.status !== 'active') throw matchErrors.mergeReverted();
    const entity = deps.entityOf(merge.entity);
    const spec = await specOfRun(tx, context.tenantId, merge.runId);
    const xref = (await xrefByKeys(tx, context.tenantId, merge.system, entity.name, [merge.sourceKey])).get(merge.sourceKey);
    if (!xref || xref.recordId !== merge.recordId) throw matchErrors.mergeStale(merge.sourceKey);
    const [survivor] = await deps.records.findBy(context, entity, 'id', [merge.recordId], tx);
    const restore = survivor ? planRestore(survivor, merge) : { input: {}, restored: [], kept: Object.keys(merge.written) };
    // The survivor first: a unique value (a code) the merge gave it is free again for the split record.
    if (restore.restored.length > 0) await deps.records.updateMany(context, entity, [{ id: merge.recordId, input: restore.input }], tx);
    const splitRecordId = newId();
    await deps.records.createMany(context, entity, [{ ...merge.sourceRecord, ...xref.sourceValues, id: splitRecordId }], tx, [lineage(merge.runId, merge.system, merge.sourceKey, null, 'create')]);
    await upsertXref(tx, context.tenantId, merge.system, entity.name, merge.runId, [{ ...xref, recordId: splitRecordId }]);
    await markMergeReverted(tx, context.tenantId, merge.id, splitRecordId);
    await rekey(tx, deps, context, entity, spec, [merge.recordId, splitRecordId]);
    return { mergeId: merge.id, recordId: merge.recordId, splitRecordId, restored: restore.restored, kept: restore.kept };
  });
}
