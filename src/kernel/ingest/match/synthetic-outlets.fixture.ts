/**
 * A labelled synthetic set of outlets for measuring duplicate detection, a pure function of its seed:
 * originals (the records already there), then a file of rows that are either the same outlet written
 * differently (typos, transliterated or lost umlauts, legal forms, abbreviated streets, swapped name
 * parts, missing values, differently formatted phones), near misses (a second branch, the neighbour
 * shop, the same owner's other trade), unrelated new outlets, and pairs of new outlets written twice
 * in the same file. Each row carries its cluster: rows of one cluster are one outlet.
 */

export interface SyntheticOutlet {
  /** Rows with the same cluster are the same outlet. */
  readonly cluster: number;
  readonly key: string;
  readonly name: string;
  readonly street: string;
  readonly postalCode: string;
  readonly city: string;
  readonly phone: string;
  readonly email: string;
  /** What was done to the row (for reading failures). */
  readonly kind: 'original' | 'duplicate' | 'nearMiss' | 'fresh' | 'freshAgain';
  readonly changes: readonly string[];
}

export interface SyntheticSet {
  readonly originals: readonly SyntheticOutlet[];
  /** The file to load, in file order. */
  readonly rows: readonly SyntheticOutlet[];
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const trades = ['Getränkemarkt', 'Kiosk', 'Bäckerei', 'Apotheke', 'Tankstelle', 'Café', 'Supermarkt', 'Metzgerei', 'Blumenladen', 'Buchhandlung', 'Imbiss', 'Weinhandlung', 'Drogerie', 'Feinkost', 'Reformhaus', 'Tabakwaren', 'Eiscafé', 'Konditorei'];
const owners = ('Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Köhler Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas Özdemir Yılmaz Nowak Kowalski Rossi Dubois').split(' ');
const places = ['am Markt', 'am Bahnhof', 'im Zentrum', 'an der Ecke', 'am Dom', 'am See'];
const legalForms = ['GmbH', 'KG', 'OHG', 'e.K.', 'GmbH & Co. KG', 'UG'];
const streets = [
  ...'Haupt Bahnhof Garten Schul Dorf Berg Linden Kirch Wald Ring Goethe Schiller Friedrich Mozart Rosen Feld Wiesen Post'.split(' ').map((name) => `${name}straße`),
  'Am Anger', 'Mühlenweg', 'Marktplatz', 'Kirchplatz', 'Lange Straße', 'Alte Gasse', 'Berliner Straße', 'Rue de la Paix',
];
const towns: readonly (readonly [string, string, string])[] = [
  ['70173', 'Stuttgart', '711'], ['70176', 'Stuttgart', '711'], ['10115', 'Berlin', '30'], ['10117', 'Berlin', '30'], ['80331', 'München', '89'], ['80333', 'München', '89'],
  ['20095', 'Hamburg', '40'], ['50667', 'Köln', '221'], ['60311', 'Frankfurt am Main', '69'], ['90402', 'Nürnberg', '911'], ['04109', 'Leipzig', '341'], ['01067', 'Dresden', '351'],
  ['30159', 'Hannover', '511'], ['28195', 'Bremen', '421'], ['44135', 'Dortmund', '231'], ['45127', 'Essen', '201'], ['40213', 'Düsseldorf', '211'], ['68159', 'Mannheim', '621'],
  ['76133', 'Karlsruhe', '721'], ['79098', 'Freiburg im Breisgau', '761'], ['89073', 'Ulm', '731'], ['93047', 'Regensburg', '941'], ['97070', 'Würzburg', '931'], ['48143', 'Münster', '251'],
];

const pick = <T>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)]!;

function typo(next: () => number, text: string): string {
  const words = text.split(' ');
  const candidates = words.map((word, index) => [word, index] as const).filter(([word]) => word.length >= 5 && !legalForms.includes(word));
  if (candidates.length === 0) return text;
  const [word, index] = pick(next, candidates);
  const at = 1 + Math.floor(next() * (word.length - 2));
  const chars = [...word];
  const kind = Math.floor(next() * 4);
  if (kind === 0) chars.splice(at, 1);
  else if (kind === 1) [chars[at], chars[at + 1]] = [chars[at + 1] ?? chars[at]!, chars[at]!];
  else if (kind === 2) chars.splice(at, 0, chars[at]!);
  else chars[at] = pick(next, [...'aeinrst']);
  words[index] = chars.join('');
  return words.join(' ');
}

const umlautsSpelledOut = (text: string) => text.replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/Ä/g, 'Ae').replace(/Ö/g, 'Oe').replace(/Ü/g, 'Ue').replace(/ß/g, 'ss');
const umlautsLost = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').replace(/ß/g, 'ss');

function formattedPhone(next: () => number, area: string, number: string): string {
  const formats = [`+49 ${area} ${number}`, `0${area} ${number}`, `0${area}/${number.slice(0, 3)} ${number.slice(3)}`, `(0${area}) ${number.slice(0, 2)}-${number.slice(2)}`, `+49(0)${area}-${number}`, `0049 ${area} ${number}`];
  return pick(next, formats);
}

interface Outlet {
  trade: string;
  owner: string;
  place: string;
  legal: string;
  ownerFirst: boolean;
  street: string;
  number: string;
  town: readonly [string, string, string];
  phone: string;
  email: string;
}

const nameOf = (outlet: Outlet) => [...(outlet.ownerFirst ? [outlet.owner, outlet.trade] : [outlet.trade, outlet.owner]), outlet.place, outlet.legal].filter(Boolean).join(' ');

function newOutlet(next: () => number, phones: Set<string>): Outlet {
  let phone = '';
  do phone = String(1_000_000 + Math.floor(next() * 8_999_999));
  while (phones.has(phone));
  phones.add(phone);
  const owner = pick(next, owners);
  return {
    trade: pick(next, trades),
    owner,
    place: next() < 0.2 ? pick(next, places) : '',
    legal: next() < 0.5 ? pick(next, legalForms) : '',
    ownerFirst: next() < 0.4,
    street: pick(next, streets),
    number: `${1 + Math.floor(next() * 120)}${next() < 0.1 ? 'a' : ''}`,
    town: pick(next, towns),
    phone,
    email: next() < 0.5 ? `${umlautsLost(owner).toLowerCase()}.${phone.slice(-4)}@example.de` : '',
  };
}

function rowOf(outlet: Outlet, next: () => number, meta: { cluster: number; key: string; kind: SyntheticOutlet['kind']; changes: string[] }): SyntheticOutlet {
  return { ...meta, name: nameOf(outlet), street: `${outlet.street} ${outlet.number}`, postalCode: outlet.town[0], city: outlet.town[1], phone: outlet.phone === '' ? '' : formattedPhone(next, outlet.town[2], outlet.phone), email: outlet.email };
}

const perturbations: Record<string, (row: SyntheticOutlet, next: () => number, outlet: Outlet) => SyntheticOutlet> = {
  typo: (row, next) => ({ ...row, name: typo(next, row.name) }),
  umlauts: (row) => ({ ...row, name: umlautsSpelledOut(row.name), street: umlautsSpelledOut(row.street) }),
  umlautsLost: (row) => ({ ...row, name: umlautsLost(row.name), street: umlautsLost(row.street) }),
  legalForm: (row, next, outlet) => ({ ...row, name: nameOf({ ...outlet, legal: outlet.legal === '' ? pick(next, legalForms) : next() < 0.5 ? '' : outlet.legal.replace('GmbH', 'G.m.b.H.') }) }),
  upperCase: (row) => ({ ...row, name: row.name.toUpperCase() }),
  swappedName: (row, _next, outlet) => ({ ...row, name: nameOf({ ...outlet, ownerFirst: !outlet.ownerFirst }) }),
  streetAbbreviated: (row, next) => ({ ...row, street: row.street.replace(/straße\b/, pick(next, ['str.', 'str', 'strasse', 'Str.'])).replace(/ Straße\b/, ' Str.') }),
  numberFirst: (row, _next, outlet) => ({ ...row, street: `${outlet.number} ${outlet.street}` }),
  noStreet: (row) => ({ ...row, street: '' }),
  noPostalCode: (row) => ({ ...row, postalCode: '' }),
  noPhone: (row) => ({ ...row, phone: '' }),
  streetTypo: (row, next) => ({ ...row, street: typo(next, row.street) }),
};

const nearMisses: Record<string, (outlet: Outlet, next: () => number) => Outlet> = {
  otherBranchSameStreet: (outlet, next) => ({ ...outlet, number: String(Number.parseInt(outlet.number, 10) + 2 + Math.floor(next() * 30)) }),
  otherBranchSameTown: (outlet, next) => ({ ...outlet, street: pick(next, streets.filter((street) => street !== outlet.street)) }),
  neighbourShop: (outlet, next) => ({ ...outlet, owner: pick(next, owners.filter((owner) => owner !== outlet.owner)), number: String(Number.parseInt(outlet.number, 10) + 1) }),
  ownersOtherTrade: (outlet, next) => ({ ...outlet, trade: pick(next, trades.filter((trade) => trade !== outlet.trade)) }),
};

/** The set for a seed: `originals` outlets, and a shuffled file of duplicates, near misses and new outlets. */
export function syntheticOutlets(seed: number, size: { originals: number; duplicates: number; nearMisses: number; fresh: number; freshAgain: number }): SyntheticSet {
  const next = random(seed);
  const phones = new Set<string>();
  const outlets = Array.from({ length: size.originals }, () => newOutlet(next, phones));
  const originals = outlets.map((outlet, index) => rowOf(outlet, next, { cluster: index, key: `O${String(index).padStart(6, '0')}`, kind: 'original', changes: [] }));
  const rows: SyntheticOutlet[] = [];
  let cluster = size.originals;
  const variant = (outlet: Outlet, base: SyntheticOutlet, kind: SyntheticOutlet['kind']) => {
    const names = Object.keys(perturbations);
    const changes = [...new Set(Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(next, names)))];
    return changes.reduce((current, change) => perturbations[change]!(current, next, outlet), rowOf(outlet, next, { cluster: base.cluster, key: '', kind, changes }));
  };
  for (let index = 0; index < size.duplicates; index++) {
    const at = Math.floor(next() * outlets.length);
    rows.push(variant(outlets[at]!, originals[at]!, 'duplicate'));
  }
  for (let index = 0; index < size.nearMisses; index++) {
    const at = Math.floor(next() * outlets.length);
    const kind = pick(next, Object.keys(nearMisses));
    const outlet = { ...nearMisses[kind]!(outlets[at]!, next), phone: newOutlet(next, phones).phone, email: '' };
    rows.push(rowOf(outlet, next, { cluster: cluster++, key: '', kind: 'nearMiss', changes: [kind] }));
  }
  for (let index = 0; index < size.fresh; index++) {
    const outlet = newOutlet(next, phones);
    const row = rowOf(outlet, next, { cluster: cluster++, key: '', kind: 'fresh', changes: [] });
    rows.push(row);
    if (index < size.freshAgain) rows.push(variant(outlet, row, 'freshAgain'));
  }
  for (let index = rows.length - 1; index > 0; index--) {
    const other = Math.floor(next() * (index + 1));
    [rows[index], rows[other]] = [rows[other]!, rows[index]!];
  }
  return { originals, rows: fixOrder(rows).map((row, index) => ({ ...row, key: `B${String(index).padStart(6, '0')}` })) };
}

/** Shuffled, a new outlet's second row still comes after its first (the file's order decides which one creates). */
function fixOrder(rows: SyntheticOutlet[]): SyntheticOutlet[] {
  const result = [...rows];
  for (let index = 0; index < result.length; index++) {
    const row = result[index]!;
    if (row.kind !== 'freshAgain') continue;
    const first = result.findIndex((other) => other.kind === 'fresh' && other.cluster === row.cluster);
    if (first > index) [result[index], result[first]] = [result[first]!, result[index]!];
  }
  return result;
}
