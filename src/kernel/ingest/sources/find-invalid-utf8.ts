/** UTF-8 validation that says where the first invalid sequence starts (TextDecoder only says that one exists). */

/**
 * The index of the first byte of `bytes` that starts an invalid UTF-8 sequence (WHATWG rules: no
 * overlongs, no surrogates, nothing above U+10FFFF), or -1. Without `final`, a sequence cut at the end
 * is not counted as invalid.
 */
export function firstInvalidUtf8(bytes: Uint8Array, final: boolean): number {
  const length = bytes.length;
  let pos = 0;
  while (pos < length) {
    const lead = bytes[pos] as number;
    if (lead < 0x80) {
      pos++;
      continue;
    }
    let needed: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) needed = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      needed = 2;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      needed = 3;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return pos;
    for (let index = 1; index <= needed; index++) {
      if (pos + index >= length) return final ? pos : -1;
      const next = bytes[pos + index] as number;
      // Only the second byte has the narrowed range; later ones are plain continuation bytes.
      if (index === 1 ? next < low || next > high : (next & 0xc0) !== 0x80) return pos;
    }
    pos += needed + 1;
  }
  return -1;
}
