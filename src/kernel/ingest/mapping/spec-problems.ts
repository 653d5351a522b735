/** Spec problems as JSON pointers: TypeBox errors turned into one problem per place (reference tokens escaped per RFC 6901: kernel/shared). */
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import type { SpecProblem } from '../ingest.contract.ts';
import { escapePointer } from '../../shared/index.ts';

/** A JSON pointer from reference tokens (names or indexes), each escaped. */
export function pointerOf(...tokens: (string | number)[]): string {
  return tokens.map((token) => `/${escapePointer(String(token))}`).join('');
}

interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly message: string;
  readonly params: Record<string, unknown>;
}

/**
 * The problems of a value against a schema, under `base`. The errors of a union's branches at one
 * place merge into one problem ("must be string or array"); an unknown property is named as such.
 */
export function schemaProblems(schema: TSchema, value: unknown, base = ''): SpecProblem[] {
  const byPointer = new Map<string, string[]>();
  for (const error of Value.Errors(schema, value) as unknown as SchemaError[]) {
    if (error.keyword === 'additionalProperties' || error.keyword === 'anyOf') continue;
    if (error.keyword === 'required') {
      for (const name of error.params.requiredProperties as string[]) add(byPointer, `${base}${error.instancePath}/${escapePointer(name)}`, 'is required');
      continue;
    }
    add(byPointer, `${base}${error.instancePath}`, error.keyword === 'boolean' ? 'unknown property' : describe(error));
  }
  return [...byPointer].map(([pointer, details]) => ({ pointer, detail: joinAlternatives(details) }));
}

function add(byPointer: Map<string, string[]>, pointer: string, detail: string): void {
  const details = byPointer.get(pointer) ?? [];
  if (!details.includes(detail)) details.push(detail);
  byPointer.set(pointer, details);
}

function describe(error: SchemaError): string {
  if (error.keyword === 'enum') return `must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
  if (error.keyword === 'const') return `must be ${JSON.stringify(error.params.allowedValue)}`;
  return error.message;
}

function joinAlternatives(details: string[]): string {
  const types = details.filter((detail) => detail.startsWith('must be ')).map((detail) => detail.slice(8));
  if (types.length === details.length && types.length > 1) return `must be ${types.slice(0, -1).join(', ')} or ${types.at(-1)}`;
  return details.join('; ');
}
