/** Calendar arithmetic for the date ops: validity (20230230 is no date), Excel serials, wall time in a zone. */

export function isValidDate(year: number, month: number, day: number): boolean {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The number the digits of text[start, end) spell, or -1 when one is no digit (no regex, no substring: per row). */
export function digitsValue(text: string, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Whether text is a calendar date YYYY-MM-DD that exists. */
export function isIsoDate(text: string): boolean {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  return isValidDate(digitsValue(text, 0, 4), digitsValue(text, 5, 7), digitsValue(text, 8, 10));
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

export function isoDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

const dayMs = 86_400_000;
const excelEpoch = Date.UTC(1899, 11, 30);
const maxExcelSerial = 2_958_465; // 9999-12-31

/**
 * An Excel (1900 system) serial day as an ISO date. Excel counts the nonexistent 1900-02-29 as day
 * 60 (a Lotus 1-2-3 compatibility bug), so serials from 61 are days since 1899-12-30 and 1..59 are
 * one day later than that; 60 is no date.
 */
export function excelSerialDate(serial: number): string | undefined {
  const day = Math.floor(serial);
  if (!Number.isFinite(serial) || day < 1 || day > maxExcelSerial || day === 60) return undefined;
  return new Date(excelEpoch + (day < 60 ? day + 1 : day) * dayMs).toISOString().slice(0, 10);
}

export function excelSerialOf(date: string): number {
  const days = Math.round((Date.parse(`${date}T00:00:00Z`) - excelEpoch) / dayMs);
  return days < 61 ? days - 1 : days;
}

export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

export function isValidWallTime(time: WallTime): boolean {
  return isValidDate(time.year, time.month, time.day) && time.hour <= 23 && time.minute <= 59 && time.second <= 59;
}

/** Milliseconds since the epoch of a wall time read as UTC. */
export function wallTimeUtc(time: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(time.year, time.month - 1, time.day);
  date.setUTCHours(time.hour, time.minute, time.second, time.millisecond);
  return date.getTime();
}

/**
 * A converter of wall times in an IANA zone to instants, its formatter made once. A wall time that a
 * DST change skips resolves to the earlier candidate instant; one it repeats, to the later.
 */
export function zonedTimeConverter(timeZone: string): (time: WallTime) => number {
  if (timeZone === 'UTC') return wallTimeUtc;
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const offsetAt = (instant: number): number => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(instant))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    const local = wallTimeUtc({ year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second!, millisecond: 0 });
    return local - (instant - (((instant % 1000) + 1000) % 1000));
  };
  return (time) => {
    const guess = wallTimeUtc(time);
    const first = offsetAt(guess);
    const second = offsetAt(guess - first);
    return guess - (first === second ? first : Math.max(first, second));
  };
}

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
