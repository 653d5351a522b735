/**
 * The shape of a transform op (one step of a field's chain) and the values that flow through a chain.
 * Glossary: step = an op compiled with its options, `(value, row) => value`; failure = what a step
 * returns (never throws) for a value it cannot take, becoming a FieldProblem of the row; shape = the
 * kind of value an op produces, checked against the target field when a spec is saved; inverse = the
 * step that turns a canonical value back into source text (export).
 */
import type { Static, TSchema } from 'typebox';
import type { FieldDef } from '../../model/index.ts';

export type SourceValues = Readonly<Record<string, unknown>>;

export type FailureCode = 'ingest.invalid_value' | 'ingest.invalid_date' | 'ingest.invalid_number' | 'ingest.unknown_code';

/** A step's refusal of one value; allocated only on failure, so the happy path allocates nothing. */
export class TransformFailure {
  constructor(
    readonly code: FailureCode,
    readonly reason: string,
  ) {}
}

/** One compiled step; returns the new value or a TransformFailure. */
export type Step = (value: unknown, row: SourceValues) => unknown;

/** Returned by an inverse step for a canonical value that no source text maps back to. */
export const notRepresentable: unique symbol = Symbol('notRepresentable');

/** One inverse step; `columns` receives the source columns it writes besides the field's own (`currencyFrom`). */
export type InverseStep = (value: unknown, columns: Record<string, string>) => unknown;

export type ValueShape = 'text' | 'list' | 'decimal' | 'integer' | 'boolean' | 'date' | 'timestamp' | 'money' | 'localizedText' | 'reference' | 'any';

export interface OpCheckContext {
  /** The target field's definition; undefined for the source key. */
  readonly field: FieldDef | undefined;
}

/** A problem with an op's options; `path` is a JSON pointer relative to the transform (`/currency`). */
export interface OptionProblem {
  readonly path: string;
  readonly detail: string;
}

/** A literal an op can emit (lookup table values, `then`), checked against the field kind at save time. */
export interface EmittedLiteral {
  readonly path: string;
  readonly value: unknown;
}

export interface TransformOp<S extends TSchema = TSchema> {
  readonly name: string;
  /** One line for the mapping reference (docs/ingestion.md). */
  readonly summary: string;
  /** The options as a TypeBox object schema (without `op`); unknown options are refused. */
  readonly options: S;
  /** A list value: mapped element by element, reduced to one value, or refused. */
  readonly list: 'map' | 'reduce' | 'refuse';
  /** What the op produces; `same` passes the input's shape on. */
  produces(options: Static<S>): ValueShape | 'same';
  check?(options: Static<S>, context: OpCheckContext): OptionProblem[];
  compile(options: Static<S>): Step;
  /** Source columns the op reads besides the field's own. */
  reads?(options: Static<S>): string[];
  literals?(options: Static<S>): EmittedLiteral[];
  /** The inverse step, or why there is none. */
  invert?(options: Static<S>): InverseStep | string;
  /** How the op inverts, for the mapping reference. */
  readonly inverse: string;
}

/** Identity for declared op objects, keeping the options type inside and erasing it outside. */
export function defineOp<S extends TSchema>(op: TransformOp<S>): TransformOp {
  return op as unknown as TransformOp;
}

export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value !== 'string') return false;
  if (value.length === 0) return true;
  const first = value.charCodeAt(0);
  // Most values start with a visible character: skip the trim (an allocation) for them.
  if (first > 32 && first !== 160 && first < 0x1680) return false;
  return value.trim().length === 0;
}

/** Text of a scalar source value (CSV gives strings, JSON also numbers and booleans), or a failure. */
export function textOf(value: unknown): string | TransformFailure {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? numberText(value) : new TransformFailure('ingest.invalid_number', 'not a finite number');
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  return new TransformFailure('ingest.invalid_value', `expected text, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

/** A JavaScript number as plain decimal text (no exponent): 1e21 -> "1000000000000000000000". */
export function numberText(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, head, tail = '', exponentText] = match;
  const digits = `${head}${tail}`;
  const point = 1 + Number(exponentText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Wraps a text function into a step: null stays null, lists are mapped element by element. */
export function textStep(apply: (text: string) => unknown): Step {
  const one = (value: unknown): unknown => {
    if (value === null || value === undefined) return null;
    const text = textOf(value);
    return text instanceof TransformFailure ? text : apply(text);
  };
  const list = (value: unknown[]): unknown => {
    const out: unknown[] = [];
    for (const item of value) {
      const mapped = one(item);
      if (mapped instanceof TransformFailure) return mapped;
      out.push(mapped);
    }
    return out;
  };
  // A string, the common case, goes straight to the function.
  return (value) => (typeof value === 'string' ? apply(value) : Array.isArray(value) ? list(value) : one(value));
}

/** An inverse that gives the canonical value back unchanged (ops whose output is a fixed point). */
export const identityInverse: InverseStep = (value) => value;

/**
 * Freezes a fixed value (a default, a constant) all the way down: it is shared by every row's
 * record, so a change to one record must fail loudly rather than reach all the others.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export const fail = (code: FailureCode, reason: string) => new TransformFailure(code, reason);
