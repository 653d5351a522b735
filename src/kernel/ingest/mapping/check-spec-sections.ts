/** Checks of the sections of a spec that name canonical fields: normalize, matching, sourceOwned, missing. */
import type { SpecProblem } from '../ingest.contract.ts';
import { compileCoercion } from './coerce-value.ts';
import { isCountryAlpha2 } from './countries.ts';
import { resolveTargetField, type MappingTarget } from './mapping-target.ts';
import { pointerOf } from './spec-problems.ts';
import { TransformFailure } from './transform-op.ts';
import { lookupFields } from '../../model/index.ts';
import { isRecord } from '../../shared/index.ts';

export interface SectionContext {
  readonly target: MappingTarget;
  /** The canonical fields the spec maps. */
  readonly mapped: ReadonlySet<string>;
}

/** Why a name may not be used where a mapped field is needed, or undefined. */
function unmappedReason(name: unknown, context: SectionContext): string | undefined {
  if (typeof name !== 'string') return 'must name a canonical field';
  if (context.mapped.has(name)) return undefined;
  const resolved = resolveTargetField(context.target, name);
  return resolved.ok ? `"${name}" is not mapped by this spec` : resolved.detail;
}

function fieldList(list: unknown, context: SectionContext, pointer: string): SpecProblem[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((name, index) => {
    const reason = unmappedReason(name, context);
    return reason ? [{ pointer: `${pointer}/${index}`, detail: reason }] : [];
  });
}

const textRules = ['text', 'name', 'address', 'email', 'upper', 'lower', 'gtin'];

export function checkNormalize(normalize: unknown, context: SectionContext): SpecProblem[] {
  if (normalize === undefined) return [];
  if (!isRecord(normalize)) return [{ pointer: '/normalize', detail: 'must be an object: canonical field -> rule' }];
  return Object.entries(normalize).flatMap(([name, rule]) => {
    const pointer = pointerOf('normalize', name);
    const reason = unmappedReason(name, context);
    if (reason) return [{ pointer, detail: reason }];
    const def = resolveTargetField(context.target, name);
    const problems: SpecProblem[] = [];
    if (def.ok && def.def.kind !== 'text') problems.push({ pointer, detail: `normalization applies to text fields; ${name} is ${def.def.kind}` });
    if (typeof rule === 'string') return textRules.includes(rule) ? problems : [...problems, { pointer, detail: `unknown rule "${rule}": expected ${textRules.join(', ')} or {kind: phone|taxId}` }];
    if (!isRecord(rule) || (rule.kind !== 'phone' && rule.kind !== 'taxId')) return [...problems, { pointer, detail: `must be one of ${textRules.join(', ')} or {kind: phone|taxId, countryField?, defaultCountry?}` }];
    for (const key of Object.keys(rule)) if (!['kind', 'countryField', 'defaultCountry'].includes(key)) problems.push({ pointer: `${pointer}/${key}`, detail: 'unknown property' });
    if (rule.countryField !== undefined) {
      const countryReason = unmappedReason(rule.countryField, context);
      if (countryReason) problems.push({ pointer: `${pointer}/countryField`, detail: countryReason });
    }
    if (rule.defaultCountry !== undefined && (typeof rule.defaultCountry !== 'string' || !isCountryAlpha2(rule.defaultCountry))) problems.push({ pointer: `${pointer}/defaultCountry`, detail: 'must be an ISO 3166 alpha-2 code (DE)' });
    return problems;
  });
}

const survivorshipRules = ['source', 'local', 'nonEmpty', 'fillEmpty'];

/**
 * Why a mapped field cannot be an exact key, or undefined. A run looks a chunk's keys up at once
 * (`field = any($values)`), so a key needs an index leading with it (model `lookupFields`): without
 * one, every chunk reads all of the tenant's records and a load slows with the square of its size.
 */
function exactKeyReason(name: string, context: SectionContext): string | undefined {
  const resolved = resolveTargetField(context.target, name);
  if (!resolved.ok) return undefined;
  const { entity } = context.target;
  const lookups = lookupFields(entity);
  if (lookups.includes(name)) return undefined;
  const usable = `Exact keys of ${entity.name}: ${lookups.length > 0 ? lookups.join(', ') : 'none'}`;
  if (resolved.custom) return `a custom field cannot be an exact key (no index looks records up by it). ${usable}`;
  if (resolved.def.kind === 'money') return `${name} is money (amount and currency), not a key. ${usable}`;
  return `no index looks ${entity.plural} up by ${name}: a run would read them all for every chunk. ${usable}`;
}

export function checkMatching(matching: unknown, context: SectionContext): SpecProblem[] {
  if (!isRecord(matching)) return [];
  const problems = (Array.isArray(matching.exact) ? matching.exact : []).flatMap((name: unknown, index) => {
    const reason = unmappedReason(name, context) ?? exactKeyReason(name as string, context);
    return reason ? [{ pointer: `/matching/exact/${index}`, detail: reason }] : [];
  });
  if (isRecord(matching.survivorship)) {
    for (const [name, rule] of Object.entries(matching.survivorship)) {
      const pointer = pointerOf('matching', 'survivorship', name);
      const reason = unmappedReason(name, context);
      if (reason) problems.push({ pointer, detail: reason });
      else if (typeof rule !== 'string' || !survivorshipRules.includes(rule)) problems.push({ pointer, detail: `must be one of ${survivorshipRules.join(', ')}` });
    }
  }
  const fuzzy = matching.fuzzy;
  if (!isRecord(fuzzy)) return problems;
  problems.push(...fieldList(fuzzy.fields, context, '/matching/fuzzy/fields'), ...fieldList(fuzzy.blockBy, context, '/matching/fuzzy/blockBy'));
  (Array.isArray(fuzzy.fields) ? fuzzy.fields : []).forEach((name: unknown, index) => {
    const resolved = typeof name === 'string' && context.mapped.has(name) ? resolveTargetField(context.target, name) : undefined;
    if (resolved?.ok && resolved.def.kind !== 'text') problems.push({ pointer: `/matching/fuzzy/fields/${index}`, detail: `fuzzy matching compares text; ${name as string} is ${resolved.def.kind}` });
  });
  const { low, high } = fuzzy;
  if (typeof low === 'number' && typeof high === 'number' && !(low > 0 && low <= high && high <= 1)) problems.push({ pointer: '/matching/fuzzy', detail: `thresholds need 0 < low <= high <= 1 (low ${low}, high ${high})` });
  return problems;
}

export function checkSourceOwned(sourceOwned: unknown, context: SectionContext): SpecProblem[] {
  return fieldList(sourceOwned, context, '/sourceOwned');
}

export function checkMissing(missing: unknown, context: SectionContext): SpecProblem[] {
  if (!isRecord(missing)) return [];
  if (missing.action !== 'deactivate') {
    return ['field', 'value'].filter((key) => key in missing).map((key) => ({ pointer: `/missing/${key}`, detail: `only with action deactivate` }));
  }
  const name = missing.field ?? 'active';
  if (typeof name !== 'string') return [];
  const resolved = resolveTargetField(context.target, name);
  if (!resolved.ok) return [{ pointer: '/missing/field', detail: missing.field === undefined ? `${context.target.entity.name} has no "active" field: name the field that deactivates` : resolved.detail }];
  const value = missing.value ?? (resolved.def.kind === 'boolean' ? false : undefined);
  if (value === undefined) return [{ pointer: '/missing/value', detail: `needs the value that marks a ${name} inactive` }];
  const coerced = compileCoercion(resolved.def)(value);
  return coerced instanceof TransformFailure ? [{ pointer: '/missing/value', detail: `not a value of ${name}: ${coerced.reason}` }] : [];
}

export function checkSource(source: unknown): SpecProblem[] {
  if (!isRecord(source)) return [];
  const only = (keys: readonly string[], format: string) => keys.filter((key) => key in source).map((key) => ({ pointer: `/source/${key}`, detail: `only for ${format}` }));
  return [
    ...(source.format === 'csv' ? only(['columns'], 'json and ndjson') : only(['delimiter', 'header'], 'csv')),
    ...(source.format === 'json' ? [] : only(['records'], 'json')),
  ];
}
