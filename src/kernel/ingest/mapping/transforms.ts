/** The transform ops by name, and the checking and compiling of one transform of a chain. */
import type { SpecProblem, Transform } from '../ingest.contract.ts';
import { codeOps } from './code-ops.ts';
import { dateOps } from './date-ops.ts';
import { listOps } from './list-ops.ts';
import { closestName } from './mapping-target.ts';
import { numberOps } from './number-ops.ts';
import { schemaProblems } from './spec-problems.ts';
import { textOps } from './text-ops.ts';
import type { OpCheckContext, Step, TransformOp } from './transform-op.ts';
import { valueOps } from './value-ops.ts';

export const transformOps: ReadonlyMap<string, TransformOp> = new Map([...textOps, ...listOps, ...valueOps, ...codeOps, ...dateOps, ...numberOps].map((op) => [op.name, op]));

/** A transform's options: the object without `op`. */
export function optionsOf(transform: Transform): Record<string, unknown> {
  const { op: _op, ...options } = transform;
  return options;
}

export interface CheckedTransform {
  readonly problems: SpecProblem[];
  /** Set when the transform is valid. */
  readonly op?: TransformOp;
}

/** Every problem of one transform document: its op, its options against the op's schema, then the op's own checks. */
export function checkTransform(input: unknown, context: OpCheckContext, pointer: string): CheckedTransform {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { problems: [{ pointer, detail: 'a transform is an object with an `op`' }] };
  const transform = input as Transform;
  if (typeof transform.op !== 'string') return { problems: [{ pointer: `${pointer}/op`, detail: 'must name an op' }] };
  const op = transformOps.get(transform.op);
  if (!op) {
    const suggestion = closestName(transform.op, [...transformOps.keys()]);
    return { problems: [{ pointer: `${pointer}/op`, detail: `unknown op "${transform.op}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}` }] };
  }
  const options = optionsOf(transform);
  const problems = schemaProblems(op.options, options, pointer);
  if (problems.length > 0) return { problems };
  const own = op.check?.(options, context) ?? [];
  if (own.length > 0) return { problems: own.map((problem) => ({ pointer: `${pointer}${problem.path}`, detail: problem.detail })) };
  return { problems: [], op };
}

function opOf(transform: Transform): TransformOp {
  const op = transformOps.get(transform.op);
  if (!op) throw new Error(`unknown op "${transform.op}" (validate the spec first)`);
  return op;
}

export function compileTransforms(transforms: readonly Transform[] = []): Step[] {
  return transforms.map((transform) => opOf(transform).compile(optionsOf(transform)));
}

/** The source columns a chain reads besides the field's own (`currencyFrom`, `when` conditions). */
export function transformColumns(transforms: readonly Transform[] = []): string[] {
  return transforms.flatMap((transform) => opOf(transform).reads?.(optionsOf(transform)) ?? []);
}
