/** The source key's coercion: trimmed text (a JSON number as its digits), so the cross-reference keys are stable. */
import { fail, numberText } from './transform-op.ts';

export function coerceKey(value: unknown): unknown {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return numberText(value);
  if (typeof value === 'bigint') return value.toString();
  return fail('ingest.invalid_value', 'a source key is text or a number');
}
