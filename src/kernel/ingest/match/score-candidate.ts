/**
 * The fuzzy score of a candidate: the mean of its fields' similarities (pg_trgm of the keys; for the
 * fields after the name also the edit similarity, whichever is higher, since one typo in a short street
 * name costs most of its trigrams), where a field blank on either side counts not at all (a missing
 * street is no evidence either way). House numbers are compared apart from the street words: differing
 * numbers halve that field's similarity. A candidate is corroborated when more than its name agrees
 * (the same block, or another field filled on both sides): only a corroborated candidate is linked;
 * a name alone at most opens a review. Weights and rules were chosen on dedup-quality.test.ts.
 */
import { editSimilarity } from './edit-similarity.ts';
import { numbersSeparator, type MatchProfile } from './match-profile.ts';

const wordsOf = (key: string): string => key.split(numbersSeparator)[0] ?? '';
const numbersOf = (key: string): string => key.split(numbersSeparator)[1] ?? '';

export interface CandidateSimilarity {
  /** pg_trgm similarity of the name keys. */
  readonly nameScore: number;
  /** Per other field, pg_trgm similarity of the two keys' words (in profile order). */
  readonly otherScores: readonly number[];
  readonly otherKeys: readonly string[];
  readonly blockKey: string | null;
}

export interface CandidateScore {
  /** In [0, 1]. */
  readonly score: number;
  readonly corroborated: boolean;
}

/** The score of a candidate for a row with the keys `row`. */
export function scoreCandidate(row: { readonly block: string | null; readonly others: readonly string[] }, candidate: CandidateSimilarity): CandidateScore {
  let total = candidate.nameScore;
  let compared = 1;
  row.others.forEach((rowKey, index) => {
    const candidateKey = candidate.otherKeys[index] ?? '';
    if (rowKey === '' || candidateKey === '') return;
    let similarity = Math.max(candidate.otherScores[index] ?? 0, editSimilarity(wordsOf(rowKey), wordsOf(candidateKey)));
    const [mine, theirs] = [numbersOf(rowKey), numbersOf(candidateKey)];
    if (mine !== '' && theirs !== '' && mine !== theirs) similarity /= 2;
    total += similarity;
    compared += 1;
  });
  return { score: total / compared, corroborated: compared > 1 || (row.block !== null && row.block === candidate.blockKey) };
}

/** The least name similarity with which a candidate can still reach `low` (every other field a perfect match). */
export function nameFloor(profile: MatchProfile, low: number): number {
  const fields = profile.fields.length;
  return Math.max(0.1, low * fields - (fields - 1));
}
