/**
 * The locales a request prefers, best first: the `locale` query parameter, else Accept-Language
 * (RFC 9110 §12.5.4: q-values, `*` and q=0 ignored), then the tenant's locale. Tags are lower-cased
 * (BCP 47 tags compare case-insensitively). English comes last wherever labels are looked up.
 */
const tagPattern = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/;
/** A header of hundreds of ranges is not worth reading past its first few. */
const maxRanges = 10;

/** Language ranges of an Accept-Language header, best first (equal weights keep their order). */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  const ranges: { tag: string; weight: number; index: number }[] = [];
  for (const [index, part] of header.split(',').slice(0, maxRanges).entries()) {
    const [range = '', ...parameters] = part.split(';').map((piece) => piece.trim());
    const tag = range.toLowerCase();
    const q = parameters.find((parameter) => /^q=/i.test(parameter));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (tagPattern.test(tag) && Number.isFinite(weight) && weight > 0 && weight <= 1) ranges.push({ tag, weight, index });
  }
  return ranges.sort((a, b) => b.weight - a.weight || a.index - b.index).map((range) => range.tag);
}

/** The preference list: explicit locale, else the header's ranges; then the tenant's locale; no duplicates. */
export function preferredLocales(options: { locale?: string | undefined; acceptLanguage?: string | undefined; tenantLocale?: string | undefined }): string[] {
  const requested = options.locale ? [options.locale.toLowerCase()] : parseAcceptLanguage(options.acceptLanguage);
  const tenant = options.tenantLocale?.toLowerCase();
  return [...new Set([...requested, ...(tenant && tagPattern.test(tenant) ? [tenant] : [])])];
}
