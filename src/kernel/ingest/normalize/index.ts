/** Public surface of ingest normalization: display-value normalizers, match keys and the record normalizer. */
export { normalizeAddress, normalizeName, normalizeText } from './text.ts';
export { addressMatchKey, emailMatchKey, nameMatchKey, phoneMatchKey } from './match-keys.ts';
export { foldForMatching, splitWords } from './fold-for-matching.ts';
export { normalizePhone, type PhoneResult } from './phone.ts';
export { normalizeEmail, type EmailResult } from './email.ts';
export { normalizeTaxId, type TaxIdResult } from './tax-id.ts';
export { normalizeGtin, type GtinResult } from './gtin.ts';
export { compileNormalizer, type RecordNormalizer } from './normalize-record.ts';
export { normalizeCodes, type NormalizeCode } from './normalize.errors.ts';
