/** Conventional case for ALL-CAPS company and person names; used by normalizeName only. */

// Legal forms and their conventional spelling, keyed by the lower-case token (dots kept: `s.a.` differs from `sa`).
const legalFormSpelling: ReadonlyMap<string, string> = new Map(
  [
    'GmbH', 'mbH', 'GesmbH', 'Ges.m.b.H.', 'AG', 'KG', 'KGaA', 'OHG', 'OG', 'GbR', 'UG', 'e.V.', 'eV', 'e.K.', 'e.Kfm.', 'eG', 'SE',
    'Co', 'Co.', 'Cie', 'Cie.', 'SA', 'S.A.', 'SARL', 'S.A.R.L.', 'SAS', 'S.A.S.', 'SASU', 'EURL', 'SNC', 'SRL', 'S.r.l.',
    'SpA', 'S.p.A.', 'Sagl', 'SL', 'S.L.', 'SLU', 'S.L.U.', 'BV', 'B.V.', 'NV', 'N.V.', 'VOF', 'BVBA', 'SPRL', 'Ltd', 'Ltd.',
    'LLC', 'L.L.C.', 'LLP', 'LP', 'Inc', 'Inc.', 'Corp', 'Corp.', 'PLC', 'Pty', 'AB', 'AS', 'A/S', 'A.S.', 'A.Ş.', 'Şti', 'Şti.',
    'Ltd.Şti.', 'Sp.', 'o.o.', 'sp.j.', 's.c.', 'Oy', 'Oyj', 'ApS', 'Kft.', 'Zrt.', 's.r.o.', 'FZE', 'FZCO', 'FZ-LLC', 'WLL',
  ].map((spelling) => [spelling.toLowerCase(), spelling]),
);

// Articles, prepositions and conjunctions are lower case inside a name (`Hotel zur Post`, `Boulangerie de la Gare`).
const particles: ReadonlySet<string> = new Set(
  ('am an auf aus bei im in mit vom von zu zum zur und der die das den dem des für ' +
    'the of and at on for by ' +
    'de du des la le les et au aux sur sous en ' +
    'di da del della dei degli delle e ed ' +
    'y el los las ' +
    'van het op ' +
    'z i w ve').split(' '),
);

const hasDigit = /\d/;
const hasLatinVowel = /[AEIOUY]/;
const hasLatinLetter = /[A-Z]/;
const romanNumeral = /^(?:I{1,3}|IV|VI{0,3}|IX|XI{0,3})$/;
const marks = /\p{M}/gu;
// Punctuation that wraps a token without belonging to it; a trailing dot belongs (it marks an abbreviation).
const wrapping = /^([("'«„“[]*)(.*?)([)"'»“”\],;:!?]*)$/su;
// Letters that only Turkish uses: their presence asks for Turkish case rules (İ -> i, I -> ı).
const turkishLetters = /[İŞĞ]/;

/** Recases an ALL-CAPS name token by token; tokens must be separated by single spaces (normalizeText output). */
export function recaseAllCapsName(text: string): string {
  const locale = turkishLetters.test(text) ? 'tr' : undefined;
  const tokens = text.split(' ');
  for (let index = 0; index < tokens.length; index++) {
    tokens[index] = recaseToken(tokens[index] ?? '', index === 0, locale);
  }
  return tokens.join(' ').normalize('NFC');
}

function recaseToken(token: string, isFirst: boolean, locale: string | undefined): string {
  const [, before = '', core = '', after = ''] = wrapping.exec(token) ?? [];
  const lower = core.toLocaleLowerCase(locale);
  const legalForm = legalFormSpelling.get(core.toLowerCase()) ?? legalFormSpelling.get(lower);
  if (legalForm !== undefined) return before + legalForm + after;
  if (hasDigit.test(core)) return token;
  if (!isFirst && particles.has(lower)) return before + lower + after;
  return before + core.replace(/[^-/]+/g, (part) => recasePart(part, locale)) + after;
}

function recasePart(part: string, locale: string | undefined): string {
  const latin = part.normalize('NFD').replace(marks, '');
  if (!hasLatinLetter.test(latin)) return part; // caseless scripts and Greek/Cyrillic: left to the source
  if (romanNumeral.test(part)) return part;
  const dotInside = part.indexOf('.') !== -1 && part.indexOf('.') < part.length - 1;
  if (dotInside) return part; // `U.S.A.`: an acronym
  if (!hasLatinVowel.test(latin) && !part.endsWith('.')) return part; // `BMW`, `KFZ`: an acronym
  return part
    .split(/(?<=['’])/)
    .map((piece, index) => (index > 0 && piece.length <= 1 ? piece.toLocaleLowerCase(locale) : capitalize(piece, locale)))
    .join('');
}

function capitalize(word: string, locale: string | undefined): string {
  const first = word.codePointAt(0);
  if (first === undefined) return word;
  const head = String.fromCodePoint(first);
  return head + word.slice(head.length).toLocaleLowerCase(locale);
}
