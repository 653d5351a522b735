/**
 * Fuzzy thresholds per tenant: the spec's `matching.fuzzy.high/low` are the defaults; the tenant
 * setting `ingest.fuzzy` (`{ "high": 0.92, "low": 0.7 }`, either may be left out) overrides them for
 * every spec of the tenant. A setting that cannot be used fails the run before anything is written.
 */
import type { MappingSpec } from '../ingest.contract.ts';
import { matchErrors } from './match.errors.ts';
import { isRecord } from '../../shared/index.ts';

/** The spec with the tenant's thresholds in place of its own (the spec itself when it has no fuzzy matching or the tenant no setting). */
export function withTenantThresholds(spec: MappingSpec, settings: Readonly<Record<string, unknown>>): MappingSpec {
  const fuzzy = spec.matching?.fuzzy;
  const setting = isRecord(settings.ingest) ? settings.ingest.fuzzy : undefined;
  if (!fuzzy || setting === undefined) return spec;
  if (!isRecord(setting)) throw matchErrors.invalidThresholds('not an object');
  const high = setting.high ?? fuzzy.high;
  const low = setting.low ?? fuzzy.low;
  if (typeof high !== 'number' || typeof low !== 'number') throw matchErrors.invalidThresholds('high and low are numbers');
  if (!(low > 0 && low <= high && high <= 1)) throw matchErrors.invalidThresholds(`low ${low}, high ${high}`);
  return { ...spec, matching: { ...spec.matching, fuzzy: { ...fuzzy, high, low } } };
}
