/** Problem codes of the normalizers (a public contract: add, never rename) and their result shape. */

export const normalizeCodes = {
  invalidPhone: 'ingest.invalid_phone',
  invalidEmail: 'ingest.invalid_email',
  invalidTaxId: 'ingest.invalid_tax_id',
  invalidGtin: 'ingest.invalid_gtin',
  /** A value of the wrong JavaScript type for its rule (an object where text belongs). */
  invalidValue: 'ingest.invalid_value',
} as const;

export type NormalizeCode = (typeof normalizeCodes)[keyof typeof normalizeCodes];

/** The outcome of one value normalizer: the stored form, or why the value was refused. */
export type Normalized<Code extends NormalizeCode> =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly code: Code; readonly reason: string };

export const accept = (value: string): { readonly ok: true; readonly value: string } => ({ ok: true, value });

export const refuse = <Code extends NormalizeCode>(code: Code, reason: string): { readonly ok: false; readonly code: Code; readonly reason: string } => ({
  ok: false,
  code,
  reason,
});
