/** E-mail addresses: one canonical, lower-case form with an ASCII (punycode) domain. */
import { domainToASCII } from 'node:url';
import { normalizeCodes, refuse, type Normalized } from './normalize.errors.ts';
import { normalizeText } from './text.ts';

export type EmailResult = Normalized<'ingest.invalid_email'>;

const mailtoPrefix = /^mailto:/i;
// Dot-atom (RFC 5322) with Unicode letters and digits allowed (RFC 6531); quoted local parts are refused.
const localPart = /^[\p{L}\p{N}\p{M}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}\p{M}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const asciiOnly = /^[\x00-\x7f]*$/;
const plainHost = /^(?!.*xn--)[A-Za-z0-9.-]+$/i;
const topLevel = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * `mailto:` and `Name <...>` wrappers removed, lower-cased, the domain converted to punycode. The local part is
 * lower-cased too: RFC 5321 lets it be case-sensitive, but no mainstream provider treats it so, and two records
 * differing only there are one mailbox.
 */
export function normalizeEmail(value: string): EmailResult {
  const address = unwrap(normalizeText(value));
  if (address === '') return refuse(normalizeCodes.invalidEmail, 'is empty');
  if (/[\s,;]/.test(address)) return refuse(normalizeCodes.invalidEmail, 'holds spaces or several addresses');
  const at = address.lastIndexOf('@');
  if (at <= 0 || address.indexOf('@') !== at) return refuse(normalizeCodes.invalidEmail, 'needs exactly one @ with a local part before it');
  const lower = address.slice(0, at).toLowerCase();
  const local = asciiOnly.test(lower) ? lower : lower.normalize('NFC'); // lower-casing can decompose (İ -> i̇)
  if (local.length > 64 || !localPart.test(local)) return refuse(normalizeCodes.invalidEmail, 'has an invalid mailbox name before the @');
  const domain = asciiDomain(address.slice(at + 1));
  if (domain === undefined) return refuse(normalizeCodes.invalidEmail, 'has an invalid domain after the @');
  const email = `${local}@${domain}`;
  if (email.length > 254) return refuse(normalizeCodes.invalidEmail, 'is longer than 254 characters');
  return { ok: true, value: email };
}

function unwrap(text: string): string {
  let address = text;
  const open = address.lastIndexOf('<');
  if (open !== -1 && address.endsWith('>')) address = address.slice(open + 1, -1).trim();
  if (mailtoPrefix.test(address)) address = (address.slice('mailto:'.length).split('?')[0] ?? '').trim(); // `?subject=`
  return address;
}

function asciiDomain(domain: string): string | undefined {
  const trimmed = domain.endsWith('.') ? domain.slice(0, -1) : domain; // a fully qualified `example.com.`
  if (trimmed === '' || trimmed.startsWith('[')) return undefined; // address literals are not customer mailboxes
  // domainToASCII costs ~1 µs; plain ASCII host names (the usual case) only need lower case.
  const ascii = plainHost.test(trimmed) ? trimmed.toLowerCase() : domainToASCII(trimmed).toLowerCase();
  if (ascii === '' || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((part) => label.test(part))) return undefined;
  return topLevel.test(labels[labels.length - 1] ?? '') ? ascii : undefined;
}
