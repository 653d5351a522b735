/** Error codes of mapping specs (kernel/ingest). Public contract: add, never rename. */
import { AppError } from '../../shared/index.ts';
import type { SpecProblem } from '../ingest.contract.ts';

export const mappingErrors = {
  invalidSpec: (problems: readonly SpecProblem[]) =>
    new AppError('invalid', 'ingest.invalid_mapping_spec', 'Invalid mapping spec', {
      detail: `The mapping spec has ${problems.length} problem(s): ${problems.map((problem) => `${problem.pointer || '/'} ${problem.detail}`).join('; ')}`,
      errors: problems.map(({ pointer, detail }) => ({ pointer, detail })),
    }),
  notInvertible: (problems: readonly SpecProblem[]) =>
    new AppError('unprocessable', 'ingest.mapping_not_invertible', 'Mapping spec cannot export', {
      detail: `Rows cannot be exported with this spec: ${problems.map((problem) => `${problem.pointer} ${problem.detail}`).join('; ')}`,
      errors: problems.map(({ pointer, detail }) => ({ pointer, detail })),
    }),
};
