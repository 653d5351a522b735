/** compileMapping: a spec, validated against its target, becomes a fast row mapper (compiled once per run). */
import type { MappedRow, MappingSpec, SourceRow } from '../ingest.contract.ts';
import { buildKeyReader, buildMapping } from './build-mapping.ts';
import { validateMappingSpec } from './mapping-spec.schema.ts';
import type { MappingTarget } from './mapping-target.ts';
import { mappingErrors } from './mapping.errors.ts';

/** The row mapper of a spec; throws `ingest.invalid_mapping_spec` (with every problem) for a spec that does not validate. */
export function compileMapping(spec: MappingSpec, target: MappingTarget): (row: SourceRow) => MappedRow {
  const checked = validateMappingSpec(spec, target);
  if (!checked.ok) throw mappingErrors.invalidSpec(checked.problems);
  return buildMapping(checked.spec, target);
}

/** The source key reader of a spec `compileMapping` accepted: a row's key without mapping the rest. */
export const compileKeyReader = (spec: MappingSpec): ((row: SourceRow) => string | null) => buildKeyReader(spec);
