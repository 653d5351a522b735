/**
 * Generated SAP customer master files (KNA1 + credit data, as `examples/ingest/kna1-sample.csv`) for the
 * crash test and the ingestion benchmark: any number of rows, streamed, every row a pure function of its
 * number and the seed, so a test can recompute what the file holds without keeping it. The quirks are
 * those of real exports: zero-padded keys, decimal commas with thousands dots, trailing minus signs,
 * free-text national phones, upper-case cities, blanks for empty, `X` flags, Windows-1252 text; and
 * VAT ids, which the spec matches records by (`matching.exact`: an index lookup per chunk).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export const sapCustomerHeader = 'KUNNR;NAME1;NAME2;NAME3;NAME4;KTOKD;AUFSD;LOEVM;STRAS;PSTLZ;ORT01;REGIO;LAND1;TELF1;SMTP_ADDR;STCEG;STCD1;KLIMK;WAERS;SALDO;ZTERM';

const firstWords = ['Müller', 'Schäfer', 'Bäckerei', 'Kiosk', 'Café', 'Getränke', 'Apotheke', 'Markt', 'Pharmacie', 'Épicerie', 'Tabacchi', 'Farmacia', 'Drogerie', 'Tankstelle', 'Bistro', 'Supermercado', 'Alimentari', 'Boulangerie', 'Späti', 'Weinhandel'];
const secondWords = ['am Eck', 'Zentrum', 'Nord', 'Süd', 'am Markt', 'du Centre', 'Rossi', 'Schmidt', 'Weber', 'Hoffmann', 'Dupont', 'Bianchi', 'García', 'Janssen', 'Lindner', 'am Bahnhof', 'Altstadt', 'West', 'Ost', 'Königs'];
const legalForms = ['GmbH', 'KG', 'e.K.', 'SARL', 'S.r.l.', 'S.L.', 'B.V.', '', '', ''];
const streets = ['Hauptstraße', 'Bahnhofstr.', 'Marktplatz', 'Lindenweg', 'rue de la République', 'Via Roma', 'Calle Mayor', 'Kerkstraat', 'Schillerstraße', 'Am Ring'];
const countries = [
  { land: 'DE', city: ['STUTTGART', 'berlin', 'München', 'KÖLN', 'Hamburg'], postal: 5, phone: (n: number) => `${pickArea(n)} / ${200 + (n % 799)} ${10 + ((n >>> 10) % 89)}-${10 + ((n >>> 17) % 89)}` },
  { land: 'AT', city: ['WIEN', 'Graz', 'Linz'], postal: 4, phone: (n: number) => `01 ${2000000 + (n % 7999999)}` },
  { land: 'FR', city: ['LYON', 'Paris', 'Marseille'], postal: 5, phone: (n: number) => `04 78 ${String(10 + (n % 89))} ${String(10 + ((n >>> 3) % 89))} ${String(10 + ((n >>> 6) % 89))}` },
  { land: 'IT', city: ['MILANO', 'Roma', 'Torino'], postal: 5, phone: (n: number) => `02 ${String(1000000 + (n % 8999999))}` },
  { land: 'NL', city: ['AMSTERDAM', 'Utrecht'], postal: 4, phone: (n: number) => `020-${String(1000000 + (n % 8999999))}` },
];
const areas = ['030', '040', '089', '0711', '0221', '069', '0211', '0341'];
function pickArea(n: number): string {
  return areas[n % areas.length] as string;
}
/** Z009 is a group the spec does not know: about one row in 300 is rejected for it. */
const groups = ['Z001', 'Z002', 'Z003', 'Z004', 'Z005', 'Z006'];
const terms = ['Z000', 'Z014', 'Z030', 'Z060', ''];

/** A 32-bit mix of the row number and the seed (splitmix-like): the same row, the same values. */
function mix(row: number, seed: number, salt: number): number {
  let x = (row * 0x9e3779b1 + seed * 0x85ebca6b + salt * 0xc2b2ae35) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

function pick<T>(list: readonly T[], value: number): T {
  return list[value % list.length] as T;
}

function sapAmount(cents: number): string {
  const negative = cents < 0;
  const whole = Math.floor(Math.abs(cents) / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${whole},${String(Math.abs(cents) % 100).padStart(2, '0')}${negative ? '-' : ''}`;
}

/**
 * The VAT id (STCEG) of row `row`'s customer: `DE` and nine digits, the last the ISO 7064 MOD 11,10
 * check digit German VAT ids carry; one per row (rows below 90,000,000), so the exact-key match by tax
 * id looks every row up and links none.
 */
function germanVatId(row: number): string {
  const body = String(10_000_000 + row);
  let product = 10;
  for (const digit of body) product = (((Number(digit) + product) % 10 || 10) * 2) % 11;
  return `DE${body}${(11 - product) % 10}`;
}

/** The customer key of row `row` (1-based) as SAP writes it: ten digits, zero-padded. */
export function sapCustomerKey(row: number): string {
  return String(100_000 + row).padStart(10, '0');
}

/** One data line (no line end) of row `row`, 1-based. About one row in 50 is flagged for deletion (LOEVM = X). */
export function sapCustomerLine(row: number, seed = 1): string {
  const r = (salt: number) => mix(row, seed, salt);
  const country = pick(countries, r(1) % 10 < 6 ? 0 : r(2));
  const name1 = `${pick(firstWords, r(3))} ${pick(secondWords, r(4))} ${row}`;
  const name2 = pick(legalForms, r(5));
  const postal = String(r(6) % 10 ** country.postal).padStart(country.postal, '0');
  const blocked = r(7) % 40 === 0 ? '01' : '';
  const deleted = r(8) % 50 === 0 ? 'X' : '';
  const email = r(9) % 3 === 0 ? '' : `Info${row}@Kunde-${pick(secondWords, r(4)).replace(/[^A-Za-z]/g, '')}.${country.land}`;
  const balance = (r(10) % 500_000) - 100_000;
  return [
    sapCustomerKey(row),
    name1,
    name2,
    '',
    '',
    r(11) % 300 === 0 ? 'Z009' : pick(groups, r(11)),
    blocked,
    deleted,
    `${pick(streets, r(12))} ${1 + (r(13) % 180)}`,
    postal,
    pick(country.city, r(14)),
    '',
    country.land,
    r(15) % 7 === 0 ? '' : country.phone(r(16)),
    email,
    // Four German customers in five have a VAT id (small shops often none); the others' countries none.
    country.land === 'DE' && r(19) % 5 !== 0 ? germanVatId(row) : '',
    '',
    sapAmount((r(17) % 100) * 50_000),
    'EUR',
    sapAmount(balance),
    pick(terms, r(18)),
  ].join(';');
}

/** The lines of a file of `rows` customers, header first, each ending in CRLF as SAP GUI exports do. */
export function* sapCustomerFileLines(rows: number, seed = 1): Generator<string> {
  yield `${sapCustomerHeader}\r\n`;
  for (let row = 1; row <= rows; row++) yield `${sapCustomerLine(row, seed)}\r\n`;
}

/** The generated text uses Latin-1 letters only, which Windows-1252 encodes as Latin-1 does. */
function windows1252(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Writes a Windows-1252 file of `rows` generated customers; memory stays flat whatever the size. */
export async function writeSapCustomerFile(path: string, rows: number, seed = 1): Promise<void> {
  const out = createWriteStream(path);
  let batch = '';
  for (const line of sapCustomerFileLines(rows, seed)) {
    batch += line;
    if (batch.length < 1 << 16) continue;
    if (!out.write(windows1252(batch))) await once(out, 'drain');
    batch = '';
  }
  out.end(windows1252(batch));
  await once(out, 'finish');
}
