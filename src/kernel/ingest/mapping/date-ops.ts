/** Date and time ops: SAP dates, dates in common layouts and Excel serials, timestamps to RFC 3339 UTC. */
import Type from 'typebox';
import { digitsValue, excelSerialDate, excelSerialOf, isoDate, isTimeZone, isValidDate, isValidWallTime, wallTimeUtc, zonedTimeConverter, type WallTime } from './calendar.ts';
import { fromMinorUnits, trimFraction } from './decimal-text.ts';
import { defineOp, fail, notRepresentable, textStep, type InverseStep, type TransformOp } from './transform-op.ts';

const allZeros = /^0+$/;

const sapDate = defineOp({
  name: 'sapDate',
  summary: 'SAP date YYYYMMDD -> YYYY-MM-DD; 00000000 and blank are empty; impossible dates (20230230) are refused. `infinityAsNull` makes 99991231 empty.',
  options: Type.Object({ infinityAsNull: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  list: 'map',
  produces: () => 'date',
  compile: ({ infinityAsNull = false }) =>
    textStep((text) => {
      const trimmed = text.trim();
      if (trimmed === '' || (trimmed.charCodeAt(0) === 48 && allZeros.test(trimmed)) || (infinityAsNull && trimmed === '99991231')) return null;
      const year = digitsValue(trimmed, 0, 4);
      const month = digitsValue(trimmed, 4, 6);
      const day = digitsValue(trimmed, 6, 8);
      if (trimmed.length !== 8 || year < 0 || month < 0 || day < 0) return fail('ingest.invalid_date', `not a SAP date (YYYYMMDD): "${trimmed}"`);
      return isValidDate(year, month, day) ? `${trimmed.slice(0, 4)}-${trimmed.slice(4, 6)}-${trimmed.slice(6)}` : fail('ingest.invalid_date', `no such date: "${trimmed}"`);
    }),
  invert: () => (value) => (value === null ? '' : typeof value === 'string' ? value.replace(/-/g, '') : notRepresentable),
  inverse: 'YYYY-MM-DD -> YYYYMMDD, empty -> blank',
});

const dateFormats = ['YYYY-MM-DD', 'DD.MM.YYYY', 'MM/DD/YYYY', 'DD/MM/YYYY', 'YYYYMMDD', 'excelSerial'] as const;
type DateFormat = (typeof dateFormats)[number];

/** Per layout: its pattern and the group order (year, month, day); day and month may have one digit. */
const layouts: Record<Exclude<DateFormat, 'excelSerial'>, { pattern: RegExp; order: [number, number, number] }> = {
  'YYYY-MM-DD': { pattern: /^(\d{4})-(\d{1,2})-(\d{1,2})$/, order: [1, 2, 3] },
  'DD.MM.YYYY': { pattern: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, order: [3, 2, 1] },
  'MM/DD/YYYY': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: [3, 1, 2] },
  'DD/MM/YYYY': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: [3, 2, 1] },
  YYYYMMDD: { pattern: /^(\d{4})(\d{2})(\d{2})$/, order: [1, 2, 3] },
};

const date = defineOp({
  name: 'date',
  summary: `Date in \`format\` (${dateFormats.join(', ')}) -> YYYY-MM-DD; day and month may have one digit; impossible dates are refused; YYYYMMDD 00000000 is empty; excelSerial counts days in Excel's 1900 system.`,
  options: Type.Object({ format: Type.Enum([...dateFormats]) }, { additionalProperties: false }),
  list: 'map',
  produces: () => 'date',
  compile: ({ format }) => {
    if (format === 'excelSerial') {
      return textStep((text) => {
        const trimmed = text.trim();
        const day = /^\d+(\.\d+)?$/.test(trimmed) ? excelSerialDate(Number(trimmed)) : undefined;
        return day ?? fail('ingest.invalid_date', `not an Excel date serial: "${trimmed}"`);
      });
    }
    const { pattern, order } = layouts[format];
    return textStep((text) => {
      const trimmed = text.trim();
      if (trimmed === '' || (format === 'YYYYMMDD' && allZeros.test(trimmed))) return null;
      const match = pattern.exec(trimmed);
      if (!match) return fail('ingest.invalid_date', `not a date in ${format}: "${trimmed}"`);
      const [year, month, day] = order.map((group) => Number(match[group])) as [number, number, number];
      return isValidDate(year, month, day) ? isoDate(year, month, day) : fail('ingest.invalid_date', `no such date: "${trimmed}"`);
    });
  },
  invert: ({ format }) => (value) => {
    if (value === null) return null;
    if (typeof value !== 'string') return notRepresentable;
    const [year = '', month = '', day = ''] = value.split('-');
    switch (format) {
      case 'YYYY-MM-DD':
        return value;
      case 'DD.MM.YYYY':
        return `${day}.${month}.${year}`;
      case 'MM/DD/YYYY':
        return `${month}/${day}/${year}`;
      case 'DD/MM/YYYY':
        return `${day}/${month}/${year}`;
      case 'YYYYMMDD':
        return `${year}${month}${day}`;
      case 'excelSerial':
        return value < '1900-01-01' ? notRepresentable : String(excelSerialOf(value));
    }
  },
  inverse: 'the date written in `format`',
});

const timestampFormats = ['iso', 'sap', 'epochSeconds', 'epochMillis'] as const;
const isoPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;
const sapPattern = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d{1,7}))?$/;

function wallTimeOf(match: RegExpExecArray): WallTime {
  const number = (group: number) => Number(match[group] ?? 0);
  return { year: number(1), month: number(2), day: number(3), hour: number(4), minute: number(5), second: number(6), millisecond: Number((match[7] ?? '').padEnd(3, '0').slice(0, 3)) };
}

function offsetMinutes(offset: string): number | undefined {
  if (offset === 'Z' || offset === 'z') return 0;
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset);
  const [hours, minutes] = [Number(match?.[2]), Number(match?.[3] ?? 0)];
  if (!match || hours > 23 || minutes > 59) return undefined;
  return (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

const timestamp = defineOp({
  name: 'timestamp',
  summary: 'Instant -> RFC 3339 UTC (2024-05-01T08:30:00.000Z). `format`: iso (RFC 3339/ISO 8601; without an offset the wall time is in `timeZone`), sap (YYYYMMDDhhmmss[.fffffff], all zeros empty), epochSeconds, epochMillis. `timeZone`: an IANA zone, default UTC.',
  options: Type.Object({ format: Type.Enum([...timestampFormats]), timeZone: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false }),
  list: 'map',
  produces: () => 'timestamp',
  check: ({ timeZone }) => (timeZone === undefined || isTimeZone(timeZone) ? [] : [{ path: '/timeZone', detail: `"${timeZone}" is not an IANA time zone (Europe/Berlin)` }]),
  compile: ({ format, timeZone = 'UTC' }) => {
    const toInstant = zonedTimeConverter(timeZone);
    const invalid = (text: string) => fail('ingest.invalid_date', `not a ${format} timestamp: "${text}"`);
    const instant = (ms: number, text: string) => (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : invalid(text));
    return textStep((text) => {
      const trimmed = text.trim();
      if (trimmed === '') return null;
      if (format === 'epochSeconds' || format === 'epochMillis') {
        if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return invalid(trimmed);
        return instant(Math.round(Number(trimmed) * (format === 'epochSeconds' ? 1000 : 1)), trimmed);
      }
      if (format === 'sap' && allZeros.test(trimmed.replace(/[.,]/, ''))) return null;
      const match = (format === 'sap' ? sapPattern : isoPattern).exec(trimmed);
      if (!match) return invalid(trimmed);
      const wall = wallTimeOf(match);
      if (!isValidWallTime(wall)) return invalid(trimmed);
      const offset = format === 'iso' && match[8] ? offsetMinutes(match[8]) : undefined;
      if (format === 'iso' && match[8] && offset === undefined) return invalid(trimmed);
      return instant(offset === undefined ? toInstant(wall) : wallTimeUtc(wall) - offset * 60_000, trimmed);
    });
  },
  invert: ({ format, timeZone = 'UTC' }) => (format === 'sap' && timeZone !== 'UTC' ? 'a SAP timestamp in a zone other than UTC' : timestampInverse(format)),
  inverse: 'iso: identity; epoch: the number; sap: YYYYMMDDhhmmss in UTC',
});

function timestampInverse(format: (typeof timestampFormats)[number]): InverseStep {
  return (value) => {
    if (value === null) return null;
    if (typeof value !== 'string') return notRepresentable;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) return notRepresentable;
    if (format === 'iso') return value;
    if (format === 'epochMillis') return String(ms);
    if (format === 'epochSeconds') return trimFraction(fromMinorUnits(ms, 3));
    const iso = new Date(ms).toISOString();
    const fraction = iso.slice(20, 23);
    return `${iso.slice(0, 19).replace(/[-T:]/g, '')}${fraction === '000' ? '' : `.${fraction}`}`;
  };
}

export const dateOps: readonly TransformOp[] = [sapDate, date, timestamp];
