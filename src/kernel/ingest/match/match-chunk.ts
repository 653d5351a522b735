/**
 * Matching of one chunk after the exact keys: the rows it would create are searched for fuzzy
 * duplicates among the records (and the earlier rows of the chunk, whose keys are written first, so
 * one indexed statement finds both). Score >= high: linked to the candidate; low <= score < high: held
 * in a review case, not written; else created. Every link (exact or fuzzy) writes per the spec's
 * survivorship rules and is kept as a merge that can be reversed.
 */
import type { TenantContext, TenantTx } from '../../db/index.ts';
import type { EntityDef } from '../../model/index.ts';
import type { ApiRecord, RecordService } from '../../records/index.ts';
import { newId } from '../../shared/index.ts';
import type { MappingSpec } from '../ingest.contract.ts';
import type { XrefEntry } from '../ingest.repository.ts';
import { keysOf, matchProfileOf, valueOf, type MatchProfile, type RecordKeys } from './match-profile.ts';
import { closeSupersededReviews, deleteKeys, findCandidates, hasUnblockedKeys, insertMerges, upsertKeys, upsertReviews, type CandidateRow, type MergeRow, type ProfileRef, type ReviewRow } from './match.repository.ts';
import { refreshMatchKeys } from './refresh-match-keys.ts';
import { nameFloor, scoreCandidate, type CandidateScore } from './score-candidate.ts';
import { applyInput, planMerge, type MergePlan } from './survivorship.ts';

export interface MatchRow {
  readonly rowNumber: number;
  readonly sourceKey: string;
  readonly record: Record<string, unknown>;
  readonly hash: string;
}

/** A planned write of the chunk (reconcile-chunk.ts's shape). */
export interface MatchWrite {
  kind: 'create' | 'update';
  row: MatchRow;
  id: string;
  input: Record<string, unknown>;
  operation: 'create' | 'update' | 'link' | 'deactivate';
  /** A link planned already (`planLink`, by reconcile-chunk in file order): its input is that plan's. */
  plan?: MergePlan;
}

/** The fields the source owns: the spec's `sourceOwned`, or every mapped field. */
export const sourceOwnedOf = (spec: MappingSpec): ReadonlySet<string> => new Set(spec.sourceOwned ?? Object.keys(spec.fields));

export interface MatchTarget {
  readonly tenantId: string;
  readonly runId: string;
  readonly context: TenantContext;
  readonly entity: EntityDef;
  readonly spec: MappingSpec;
  readonly records: RecordService;
  /** Fields the source owns (overwritten on each load). */
  readonly sourceOwned: ReadonlySet<string>;
}

export interface ChunkMatching {
  /** Rows held for review (taken out of the writes). */
  readonly queued: number;
  /** After the writes (all of them went through: reconcile-chunk plans again without a refused row): keys, merges and review cases. */
  finish(): Promise<void>;
}

type Decision = { kind: 'link'; to: string; score: number } | { kind: 'review'; candidate: string; score: number };

const candidatesPerRow = 5;
const refreshedTargets = new WeakSet<object>();

/** Rewrites `writes` and `xrefUpdates` in place: fuzzy links, rows held for review, survivorship of every link. */
export async function matchChunk(tx: TenantTx, target: MatchTarget, writes: MatchWrite[], xrefUpdates: XrefEntry[]): Promise<ChunkMatching> {
  const profile = matchProfileOf(target.spec);
  const ref: ProfileRef | null = profile && { tenantId: target.tenantId, entity: target.entity.name, profile: profile.id };
  const creates = writes.filter((write) => write.kind === 'create');
  const known = new Map<string, ApiRecord>();
  const { decisions, provisional } = profile && ref && creates.length > 0 ? await decideCreates(tx, target, { profile, ref, creates, known }) : { decisions: new Map<string, Decision>(), provisional: [] as string[] };

  const reviews: ReviewRow[] = [];
  const kept: MatchWrite[] = [];
  const fuzzyLinks = new Map<MatchWrite, Decision>();
  const createInputs = new Map(creates.map((write) => [write.id, write.input]));
  // A row the exact keys linked to a create of this chunk shares that create's decision.
  for (const write of writes) {
    const decision = write.kind === 'create' || write.operation === 'link' ? decisions.get(write.id) : undefined;
    if (decision?.kind === 'review') {
      const candidate = known.get(decision.candidate) ?? createInputs.get(decision.candidate) ?? {};
      reviews.push({ id: newId(), sourceKey: write.row.sourceKey, candidateId: decision.candidate, score: decision.score, pending: { record: write.row.record, hash: write.row.hash, rowNumber: write.row.rowNumber }, candidate: comparedValues(profile, candidate) });
      continue;
    }
    if (decision?.kind === 'link') {
      // Linked elsewhere than planned (a create of the chunk it was linked to is itself a duplicate): planned again below.
      Object.assign(write, { kind: 'update', id: decision.to, operation: 'link', plan: undefined });
      fuzzyLinks.set(write, decision);
    }
    kept.push(write);
  }
  const queuedKeys = new Set(reviews.map((review) => review.sourceKey));
  writes.splice(0, writes.length, ...kept);
  const recordOf = new Map(kept.map((write) => [write.row.sourceKey, write.id]));
  xrefUpdates.splice(0, xrefUpdates.length, ...xrefUpdates.filter((entry) => !queuedKeys.has(entry.sourceKey)).map((entry) => ({ ...entry, recordId: recordOf.get(entry.sourceKey) ?? entry.recordId })));

  const merges = await planLinks(tx, target, kept, { known, fuzzyLinks });

  return {
    queued: reviews.length,
    async finish() {
      await insertMerges(tx, target.tenantId, merges);
      if (!profile || !ref) return;
      const created = new Set(kept.filter((write) => write.kind === 'create').map((write) => write.id));
      await deleteKeys(tx, ref, provisional.filter((id) => !created.has(id)));
      const keyFields = new Set([...profile.fields, ...profile.blockBy].map((field) => (field.startsWith('ext.') ? 'ext' : field)));
      const touched = [...new Set(kept.filter((write) => write.kind === 'update' && Object.keys(write.input).some((field) => keyFields.has(field))).map((write) => write.id))];
      if (touched.length > 0) await upsertKeys(tx, ref, (await target.records.findBy(target.context, target.entity, 'id', touched, tx)).map((record) => ({ recordId: record.id, keys: keysOf(profile, record), version: Number(record.version) })));
      const scope = { tenantId: target.tenantId, entity: target.entity.name, system: target.spec.system };
      await upsertReviews(tx, { ...scope, runId: target.runId }, reviews);
      await closeSupersededReviews(tx, scope, kept.filter((write) => write.operation === 'create' || write.operation === 'link').map((write) => write.row.sourceKey));
    },
  };
}

/** Decides each planned create in row order against its best candidate; `known` receives the live candidates read. */
async function decideCreates(tx: TenantTx, target: MatchTarget, input: { profile: MatchProfile; ref: ProfileRef; creates: readonly MatchWrite[]; known: Map<string, ApiRecord> }) {
  const { profile, ref, creates, known } = input;
  const fuzzy = target.spec.matching!.fuzzy!;
  if (!refreshedTargets.has(target)) {
    await refreshMatchKeys(tx, target, profile);
    refreshedTargets.add(target);
  }
  const keyed = creates.flatMap((write, index) => {
    const keys = keysOf(profile, write.input);
    return keys ? [{ index, id: write.id, keys }] : [];
  });
  // The chunk's own rows are candidates too (an earlier row of the file): their keys go in first.
  // Keyed as they will be created: version 1.
  await upsertKeys(tx, ref, keyed.map((entry) => ({ recordId: entry.id, keys: entry.keys, version: 1 })));
  const keysOfRow = new Map(keyed.map((entry) => [entry.index, entry.keys]));
  // Only candidates that can reach `low` matter: the others are never read.
  const found = (await findCandidates(tx, ref, keyed, { floor: nameFloor(profile, fuzzy.low), limit: candidatesPerRow, searchUnblocked: await hasUnblockedKeys(tx, ref) })).filter(
    (candidate) => scoreCandidate(keysOfRow.get(candidate.index)!, candidate).score >= fuzzy.low,
  );
  const chunkIndex = new Map(creates.map((write, index) => [write.id, index]));
  const existing = [...new Set(found.map((candidate) => candidate.recordId).filter((id) => !chunkIndex.has(id)))];
  for (const record of existing.length > 0 ? await target.records.findBy(target.context, target.entity, 'id', existing, tx) : []) known.set(record.id, record);
  // Keys of records gone since (deleted) are dropped as they are met.
  await deleteKeys(tx, ref, existing.filter((id) => !known.has(id)));

  const byRow = new Map<number, CandidateRow[]>();
  for (const candidate of found) byRow.set(candidate.index, [...(byRow.get(candidate.index) ?? []), candidate]);
  const decisions = new Map<string, Decision>();
  for (const { index, id, keys } of keyed) {
    const best = bestCandidate(keys, byRow.get(index) ?? [], (candidateId) => {
      const other = chunkIndex.get(candidateId);
      // An earlier row of the chunk counts only if it is created (not itself linked or held).
      return other === undefined ? known.has(candidateId) : other < index && !decisions.has(candidateId);
    });
    // Two records that would both be linked make the row ambiguous: a person decides.
    if (best && best.score >= fuzzy.high && best.corroborated && best.runnerUp < fuzzy.high) decisions.set(id, { kind: 'link', to: best.id, score: best.score });
    else if (best && best.score >= fuzzy.low) decisions.set(id, { kind: 'review', candidate: best.id, score: best.score });
  }
  return { decisions, provisional: keyed.map((entry) => entry.id) };
}

/** The best eligible candidate, and the score of the next best (0 without one). */
function bestCandidate(keys: RecordKeys, candidates: readonly CandidateRow[], eligible: (id: string) => boolean): (CandidateScore & { id: string; runnerUp: number }) | undefined {
  let best: (CandidateScore & { id: string; runnerUp: number }) | undefined;
  for (const candidate of candidates) {
    if (!eligible(candidate.recordId)) continue;
    const scored = scoreCandidate(keys, candidate);
    if (!best || scored.score > best.score) best = { id: candidate.recordId, ...scored, runnerUp: best?.score ?? 0 };
    else if (scored.score > best.runnerUp) best.runnerUp = scored.score;
  }
  return best;
}

/** What a link of `incoming` to the record as it is (`local`) writes per the spec's survivorship rules, and what its merge keeps. */
export function planLink(target: MatchTarget, incoming: Readonly<Record<string, unknown>>, local: Readonly<Record<string, unknown>>): MergePlan {
  return planMerge(incoming, local, { rules: target.spec.matching?.survivorship ?? {}, sourceOwned: target.sourceOwned });
}

/**
 * The merge kept for every link, and the input of each fuzzy link (exact links come planned) per
 * survivorship against the record as it is (an existing record, or one the chunk creates) and the
 * chunk's earlier fuzzy links to it; records writes a record's links one after another, in order.
 */
async function planLinks(tx: TenantTx, target: MatchTarget, writes: readonly MatchWrite[], context: { known: Map<string, ApiRecord>; fuzzyLinks: ReadonlyMap<MatchWrite, Decision> }): Promise<MergeRow[]> {
  const links = writes.filter((write) => write.operation === 'link');
  if (links.length === 0) return [];
  const createdInputs = new Map(writes.filter((write) => write.kind === 'create').map((write) => [write.id, write.input]));
  const missing = [...new Set(links.filter((write) => !write.plan).map((write) => write.id))].filter((id) => !createdInputs.has(id) && !context.known.has(id));
  for (const record of missing.length > 0 ? await target.records.findBy(target.context, target.entity, 'id', missing, tx) : []) context.known.set(record.id, record);
  const current = new Map<string, Record<string, unknown>>();
  const merges: MergeRow[] = [];
  for (const write of links) {
    let plan = write.plan;
    if (!plan) {
      const local = current.get(write.id) ?? context.known.get(write.id) ?? createdInputs.get(write.id) ?? {};
      plan = planLink(target, write.row.record, local);
      current.set(write.id, applyInput(local, plan.input));
      write.input = plan.input;
    }
    const fuzzy = context.fuzzyLinks.get(write);
    merges.push({ id: newId(), runId: target.runId, entity: target.entity.name, system: target.spec.system, sourceKey: write.row.sourceKey, recordId: write.id, match: fuzzy ? 'fuzzy' : 'exact', score: fuzzy?.score ?? null, sourceRecord: write.row.record, contentHash: write.row.hash, written: plan.written, previous: plan.previous });
  }
  return merges;
}

/** The values a person compares in a review: the fuzzy and block fields. */
function comparedValues(profile: MatchProfile | null, record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const fields = profile ? [...profile.fields, ...profile.blockBy] : [];
  return Object.fromEntries(fields.map((field) => [field, valueOf(record, field) ?? null]));
}
