/**
 * Windows-1252 per the WHATWG Encoding Standard: Latin-1 plus 27 printable characters in 0x80-0x9F.
 * Written out because Node 20.18.3+ (and 22.13+) decode `windows-1252` through a Latin-1 fast path that
 * gets 0x80-0x9F wrong (nodejs/node#56542, #60888): `€` came back as U+0080.
 */
const c1Block =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const hasC1 = /[\u0080-\u009f]/;
const everyC1 = /[\u0080-\u009f]/g;

/** The text of Windows-1252 bytes; a single-byte encoding needs no state between chunks. */
export function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return hasC1.test(latin1) ? latin1.replace(everyC1, (char) => c1Block.charAt(char.charCodeAt(0) - 0x80)) : latin1;
}
