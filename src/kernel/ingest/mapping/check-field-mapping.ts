/**
 * Checks of one field mapping when a spec is saved: its source, condition and transforms, and what
 * its chain produces against the field's kind: a list never joined, money into a text field, a lookup
 * value that is no value of an enum. What would fail on every row is refused here instead.
 */
import type { FieldDef, FieldKind } from '../../model/index.ts';
import type { SpecProblem, Transform } from '../ingest.contract.ts';
import { coerceKey } from './coerce-key.ts';
import { compileCoercion } from './coerce-value.ts';
import { checkCondition } from './conditions.ts';
import { checkTransform, optionsOf } from './transforms.ts';
import { TransformFailure, type TransformOp, type ValueShape } from './transform-op.ts';
import { isRecord } from '../../shared/index.ts';

export interface FieldCheckContext {
  /** The target field; undefined for the source key. */
  readonly def: FieldDef | undefined;
  /** The canonical field name, or `$key`. */
  readonly name: string;
  readonly format: string;
}

const accepted: Record<FieldKind, readonly ValueShape[]> = {
  text: ['text', 'decimal', 'integer', 'date', 'timestamp'],
  integer: ['integer', 'decimal', 'text'],
  decimal: ['decimal', 'integer', 'text'],
  money: ['money'],
  boolean: ['boolean', 'text'],
  date: ['date', 'text'],
  timestamp: ['timestamp', 'text'],
  enum: ['text'],
  json: [],
  reference: ['reference', 'text'],
  localizedText: ['localizedText'],
};
const keyShapes: readonly ValueShape[] = ['text', 'decimal', 'integer'];
/** Ops that leave every value but their own literals as it is: what comes before them reaches the end. */
const passThrough = new Set(['when', 'default', 'nullIf']);

function accepts(def: FieldDef | undefined, shape: ValueShape): boolean {
  if (shape === 'any') return true;
  if (!def) return keyShapes.includes(shape);
  if (def.kind === 'money' && def.currency && ['decimal', 'integer', 'text'].includes(shape)) return true;
  return accepted[def.kind].includes(shape);
}

export function checkFieldMapping(mapping: unknown, context: FieldCheckContext, pointer: string): SpecProblem[] {
  if (!isRecord(mapping)) return [];
  const problems: SpecProblem[] = [];
  const hasFrom = mapping.from !== undefined;
  const hasConstant = 'constant' in mapping;
  if (hasFrom === hasConstant) problems.push({ pointer, detail: 'needs exactly one of `from` (source fields) and `constant`' });
  if (mapping.when !== undefined) {
    if (!context.def) problems.push({ pointer: `${pointer}/when`, detail: 'the source key has no condition' });
    else problems.push(...checkCondition(mapping.when, `${pointer}/when`));
  }
  const transforms = Array.isArray(mapping.transforms) ? mapping.transforms : [];
  const ops = transforms.map((transform, index) => {
    const checked = checkTransform(transform, { field: context.def }, `${pointer}/transforms/${index}`);
    problems.push(...checked.problems);
    return checked.op;
  });
  const start: ValueShape = hasConstant ? 'any' : Array.isArray(mapping.from) ? 'list' : context.format === 'csv' ? 'text' : 'any';
  if (problems.length === 0) problems.push(...checkChain(transforms as Transform[], ops as TransformOp[], start, context, pointer));
  const coerce = context.def ? compileCoercion(context.def) : coerceKey;
  const constantReachesEnd = hasConstant && ops.every((op) => op !== undefined && passThrough.has(op.name));
  const fixed: [string, unknown][] = [['default', mapping.default], ...(constantReachesEnd ? [['constant', mapping.constant] as [string, unknown]] : [])];
  for (const [option, value] of fixed) {
    if (value === undefined || value === null) continue;
    const coerced = coerce(value);
    if (coerced instanceof TransformFailure) problems.push({ pointer: `${pointer}/${option}`, detail: `not a value of ${context.name}: ${coerced.reason}` });
  }
  return problems;
}

/** The chain's shapes step by step, the field kind it ends on, and the literals its last op can emit. */
function checkChain(transforms: readonly Transform[], ops: readonly TransformOp[], start: ValueShape, context: FieldCheckContext, pointer: string): SpecProblem[] {
  const problems: SpecProblem[] = [];
  let shape = start;
  ops.forEach((op, index) => {
    const options = optionsOf(transforms[index]!);
    const produced = op.produces(options);
    if (shape === 'list' && op.list === 'refuse') {
      problems.push({ pointer: `${pointer}/transforms/${index}/op`, detail: `${op.name} does not take several values: join, concat or coalesce them first` });
      shape = 'any';
    } else if (shape === 'list' && op.list === 'map') {
      shape = 'list';
    } else {
      shape = produced === 'same' ? (shape === 'list' ? 'any' : shape) : produced;
    }
  });
  const last = ops.length > 0 ? `${pointer}/transforms/${ops.length - 1}` : `${pointer}/from`;
  if (shape === 'list') return [...problems, { pointer: last, detail: 'the value is still several values: end with join, concat or coalesce' }];
  if (!accepts(context.def, shape)) {
    const kind = context.def ? `a ${context.def.kind} field` : 'the source key (text)';
    problems.push({ pointer: last, detail: `produces ${shape}, but ${context.name} is ${kind}${ops.length === 0 ? ': add a transform' : ''}` });
  }
  if (context.def) problems.push(...checkLiterals(transforms, ops, context, pointer));
  return problems;
}

/**
 * The literals that reach the end of the chain unchanged: those of the last op, and of the ops
 * before it as long as only pass-through ops (when, default, nullIf) follow them.
 */
function checkLiterals(transforms: readonly Transform[], ops: readonly TransformOp[], context: FieldCheckContext, pointer: string): SpecProblem[] {
  const coerce = compileCoercion(context.def!);
  const problems: SpecProblem[] = [];
  for (let index = ops.length - 1; index >= 0; index--) {
    const op = ops[index]!;
    for (const literal of op.literals?.(optionsOf(transforms[index]!)) ?? []) {
      if (literal.value === null) continue;
      const coerced = coerce(literal.value);
      if (coerced instanceof TransformFailure) problems.push({ pointer: `${pointer}/transforms/${index}${literal.path}`, detail: `not a value of ${context.name}: ${coerced.reason}` });
    }
    if (!passThrough.has(op.name)) break;
  }
  return problems.reverse();
}
