import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEmail } from './email.ts';

describe('normalizeEmail', () => {
  it.each([
    ['Max.Mustermann@Example.COM', 'max.mustermann@example.com'],
    ['  info@baeckerei-mueller.de ', 'info@baeckerei-mueller.de'],
    ['mailto:Info@Firma.de', 'info@firma.de'],
    ['MAILTO:info@firma.de?subject=Bestellung', 'info@firma.de'],
    ['<einkauf@firma.at>', 'einkauf@firma.at'],
    ['Max Muster <Max@Firma.CH>', 'max@firma.ch'],
    ['"Müller, Hans" <hans@mueller.de>', 'hans@mueller.de'],
    ['info@müller.de', 'info@xn--mller-kva.de'],
    ['info@MÜLLER.de', 'info@xn--mller-kva.de'],
    ['info@bücher.example', 'info@xn--bcher-kva.example'],
    ['info@xn--mller-kva.de', 'info@xn--mller-kva.de'],
    ['kontakt@straße.de', 'kontakt@xn--strae-oqa.de'], // UTS 46 nontransitional: ß stays ß
    ['info@firma.com.tr', 'info@firma.com.tr'],
    ['info@شركة.السعودية', 'info@xn--ogbpi5d.xn--mgberp4a5d4ar'],
    ['info@firma.de.', 'info@firma.de'], // a fully qualified domain
    ['max.muster+newsletter@gmail.com', 'max.muster+newsletter@gmail.com'], // tags and dots stay
    ['o\'brien@pub.ie', 'o\'brien@pub.ie'],
    ['jürgen@firma.de', 'jürgen@firma.de'], // internationalised local part (RFC 6531)
    ['info@firma\u3002de', 'info@firma.de'], // ideographic full stop, as IME users type it
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeEmail(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'is empty'],
    ['mailto:', 'is empty'],
    ['info.firma.de', 'needs exactly one @ with a local part before it'],
    ['@firma.de', 'needs exactly one @ with a local part before it'],
    ['a@b@firma.de', 'needs exactly one @ with a local part before it'],
    ['info@firma', 'has an invalid domain after the @'],
    ['info@firma,de', 'holds spaces or several addresses'],
    ['info@firma.de; einkauf@firma.de', 'holds spaces or several addresses'],
    ['max muster@firma.de', 'holds spaces or several addresses'],
    ['.info@firma.de', 'has an invalid mailbox name before the @'],
    ['info..shop@firma.de', 'has an invalid mailbox name before the @'],
    ['"quoted"@firma.de', 'has an invalid mailbox name before the @'],
    ['info@-firma.de', 'has an invalid domain after the @'],
    ['info@firma..de', 'has an invalid domain after the @'],
    ['info@[192.168.0.1]', 'has an invalid domain after the @'],
    ['info@firma.d', 'has an invalid domain after the @'],
    ['info@firma.123', 'has an invalid domain after the @'],
    [`${'a'.repeat(65)}@firma.de`, 'has an invalid mailbox name before the @'],
  ])('refuses %j: %s', (input, reason) => {
    expect(normalizeEmail(input)).toEqual({ ok: false, code: 'ingest.invalid_email', reason });
  });

  it('is idempotent for any string and for address-like text', () => {
    const addressLike = fc.tuple(fc.string({ maxLength: 12 }), fc.constantFrom('@', '@@', ''), fc.string({ maxLength: 12 }), fc.constantFrom('.de', '.DE', '.xn--p1ai', '', '.')).map((parts) => parts.join(''));
    const emails = fc.oneof(fc.emailAddress(), addressLike, fc.string({ unit: 'binary', maxLength: 30 }), fc.emailAddress().map((email) => `Name <${email.toUpperCase()}>`));
    fc.assert(
      fc.property(emails, (input) => {
        const first = normalizeEmail(input);
        if (first.ok) expect(normalizeEmail(first.value)).toEqual(first);
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts what fast-check considers a valid address, lower-cased', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const result = normalizeEmail(email);
        if (!result.ok && result.reason !== 'has an invalid domain after the @') expect(result).toEqual({ ok: true, value: email.toLowerCase() });
      }),
      { numRuns: 500 },
    );
  });
});
