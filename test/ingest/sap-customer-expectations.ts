/**
 * What loading a generated SAP customer file (`sap-customers.fixture.ts`) through
 * `examples/ingest/sap-kna1-outlets.json` must produce, worked out from the generated lines alone: no
 * pipeline code and no database. A row is rejected for an unknown customer group (KTOKD Z009) or a
 * phone that is not a valid number of its country (libphonenumber-js, `max` metadata, asked directly),
 * otherwise skipped when flagged deleted on a fresh tenant (LOEVM = X), otherwise loaded: a record of
 * its own, or, where the spec's duplicate matching finds one, a link into a similar record or a review
 * hold (which of those depends on similarity scores: the caller accounts for them).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { sapCustomerHeader, sapCustomerLine } from '../../src/kernel/ingest/sap-customers.fixture.ts';

/** `created`: loaded (its own record, or linked or held as a likely duplicate). */
export type RowOutcome = 'created' | 'rejected' | 'skipped';

const columns = sapCustomerHeader.split(';');
const knownGroups = new Set(['Z001', 'Z002', 'Z003', 'Z004', 'Z005', 'Z006']);
const channels: Readonly<Record<string, string>> = { Z001: 'supermarket', Z002: 'hypermarket', Z003: 'kiosk', Z004: 'pharmacy', Z005: 'horeca', Z006: 'wholesale' };
const paymentTerms: Readonly<Record<string, number>> = { Z000: 0, Z014: 14, Z030: 30, Z060: 60 };

/** The columns of generated row `row`, by SAP field name. */
export function sapCustomerColumns(row: number): Readonly<Record<string, string>> {
  const values = sapCustomerLine(row).split(';');
  return Object.fromEntries(columns.map((column, index) => [column, values[index] ?? '']));
}

function hasInvalidPhone(columnsOfRow: Readonly<Record<string, string>>): boolean {
  const phone = columnsOfRow.TELF1!.trim();
  if (phone === '') return false;
  return parsePhoneNumberFromString(phone, columnsOfRow.LAND1 as CountryCode)?.isValid() !== true;
}

/** What a first load of row `row` into a tenant without records of the source does with it. */
export function expectedOutcome(row: number): RowOutcome {
  const values = sapCustomerColumns(row);
  if (!knownGroups.has(values.KTOKD!) || hasInvalidPhone(values)) return 'rejected';
  return values.LOEVM === 'X' ? 'skipped' : 'created';
}

export interface ExpectedLoad {
  readonly rows: number;
  readonly created: number;
  readonly rejected: number;
  readonly skipped: number;
  /** Source keys (KUNNR without its zeros, the outlet code) of the loaded rows, ascending. */
  readonly createdCodes: readonly string[];
  /** Row numbers of the rejected rows, ascending. */
  readonly rejectedRows: readonly number[];
}

/** The outcome of rows `from`..`to` (inclusive) of the generated file. */
export function expectedLoad(from: number, to: number): ExpectedLoad {
  const createdCodes: string[] = [];
  const rejectedRows: number[] = [];
  let skipped = 0;
  for (let row = from; row <= to; row++) {
    const outcome = expectedOutcome(row);
    if (outcome === 'created') createdCodes.push(String(100_000 + row));
    else if (outcome === 'rejected') rejectedRows.push(row);
    else skipped += 1;
  }
  return { rows: to - from + 1, created: createdCodes.length, rejected: rejectedRows.length, skipped, createdCodes, rejectedRows };
}

/** SAP amount text (`1.234,50`, trailing minus for negatives) in cents. */
function sapCents(text: string): number {
  const negative = text.endsWith('-');
  const [whole = '0', fraction = '0'] = text.replace(/-$/, '').replaceAll('.', '').split(',');
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return negative ? -cents : cents;
}

const titleWord = (word: string) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();

/** The values an outlet created from row `row` must hold, read off its line by hand (the fields whose mapping is simple). */
export function expectedOutletValues(row: number): Record<string, unknown> {
  const values = sapCustomerColumns(row);
  return {
    code: values.KUNNR!.replace(/^0+/, ''),
    channel: channels[values.KTOKD!],
    status: values.LOEVM === 'X' ? 'closed' : values.AUFSD !== '' ? 'blocked' : 'active',
    postalCode: values.PSTLZ,
    city: values.ORT01!.split(' ').map(titleWord).join(' '),
    country: values.LAND1,
    email: values.SMTP_ADDR === '' ? null : values.SMTP_ADDR!.toLowerCase(),
    // A German VAT id as exported: already compact and upper case, with its prefix.
    taxId: values.STCEG === '' ? null : values.STCEG,
    creditLimit: { amount: sapCents(values.KLIMK!), currency: values.WAERS },
    balance: { amount: sapCents(values.SALDO!), currency: 'EUR' },
    paymentTermsDays: values.ZTERM === '' ? null : paymentTerms[values.ZTERM!],
    active: values.LOEVM !== 'X',
  };
}

/** NAME1 and NAME2 of row `row` (the outlet's name is built from them, then normalized). */
export function expectedNameParts(row: number): readonly string[] {
  const values = sapCustomerColumns(row);
  return [values.NAME1!, values.NAME2!].filter((part) => part !== '');
}
