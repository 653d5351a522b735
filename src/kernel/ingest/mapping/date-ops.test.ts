import { describe, expect, it } from 'vitest';
import { transformOps } from './transforms.ts';

const run = (op: string, options: Record<string, unknown>, value: unknown) => transformOps.get(op)!.compile(options)(value, {});

describe('sapDate', () => {
  it('reads YYYYMMDD, with 00000000 and blank as empty', () => {
    expect(run('sapDate', {}, '20230115')).toBe('2023-01-15');
    expect(run('sapDate', {}, '00000000')).toBeNull();
    expect(run('sapDate', {}, '   ')).toBeNull();
    expect(run('sapDate', {}, '99991231')).toBe('9999-12-31');
    expect(run('sapDate', { infinityAsNull: true }, '99991231')).toBeNull();
  });

  it('refuses impossible dates and other layouts', () => {
    expect(run('sapDate', {}, '20230230')).toMatchObject({ code: 'ingest.invalid_date' });
    expect(run('sapDate', {}, '20230229')).toMatchObject({ code: 'ingest.invalid_date' });
    expect(run('sapDate', {}, '20240229')).toBe('2024-02-29');
    expect(run('sapDate', {}, '2023-01-15')).toMatchObject({ code: 'ingest.invalid_date' });
    expect(run('sapDate', {}, '20231301')).toMatchObject({ code: 'ingest.invalid_date' });
  });
});

describe('date', () => {
  it('reads each layout, with one-digit day and month', () => {
    expect(run('date', { format: 'DD.MM.YYYY' }, '1.2.2023')).toBe('2023-02-01');
    expect(run('date', { format: 'MM/DD/YYYY' }, '02/01/2023')).toBe('2023-02-01');
    expect(run('date', { format: 'DD/MM/YYYY' }, '01/02/2023')).toBe('2023-02-01');
    expect(run('date', { format: 'YYYY-MM-DD' }, '2023-02-01')).toBe('2023-02-01');
    expect(run('date', { format: 'YYYYMMDD' }, '20230201')).toBe('2023-02-01');
    expect(run('date', { format: 'YYYYMMDD' }, '00000000')).toBeNull();
  });

  it('refuses impossible dates in every layout', () => {
    expect(run('date', { format: 'DD.MM.YYYY' }, '30.02.2023')).toMatchObject({ code: 'ingest.invalid_date' });
    expect(run('date', { format: 'MM/DD/YYYY' }, '13/01/2023')).toMatchObject({ code: 'ingest.invalid_date' });
    expect(run('date', { format: 'YYYYMMDD' }, '20230230')).toMatchObject({ code: 'ingest.invalid_date' });
    expect(run('date', { format: 'DD.MM.YYYY' }, '2023-02-01')).toMatchObject({ code: 'ingest.invalid_date' });
  });

  it("reads Excel serials in the 1900 system, with its fictitious 1900-02-29", () => {
    expect(run('date', { format: 'excelSerial' }, '1')).toBe('1900-01-01');
    expect(run('date', { format: 'excelSerial' }, '59')).toBe('1900-02-28');
    expect(run('date', { format: 'excelSerial' }, '60')).toMatchObject({ code: 'ingest.invalid_date' });
    expect(run('date', { format: 'excelSerial' }, '61')).toBe('1900-03-01');
    expect(run('date', { format: 'excelSerial' }, '45000.75')).toBe('2023-03-15');
    expect(run('date', { format: 'excelSerial' }, 45000)).toBe('2023-03-15');
  });
});

describe('timestamp', () => {
  it('reads RFC 3339 with an offset and gives UTC', () => {
    expect(run('timestamp', { format: 'iso' }, '2024-05-01T10:30:00+02:00')).toBe('2024-05-01T08:30:00.000Z');
    expect(run('timestamp', { format: 'iso' }, '2024-05-01 08:30:00.5Z')).toBe('2024-05-01T08:30:00.500Z');
  });

  it('reads a wall time without offset in the time zone of the spec, across DST', () => {
    expect(run('timestamp', { format: 'iso', timeZone: 'Europe/Berlin' }, '2024-01-15T12:00:00')).toBe('2024-01-15T11:00:00.000Z');
    expect(run('timestamp', { format: 'iso', timeZone: 'Europe/Berlin' }, '2024-07-15T12:00:00')).toBe('2024-07-15T10:00:00.000Z');
    expect(run('timestamp', { format: 'sap', timeZone: 'America/New_York' }, '20240715120000')).toBe('2024-07-15T16:00:00.000Z');
  });

  it('reads SAP and epoch timestamps, all-zero SAP ones as empty', () => {
    expect(run('timestamp', { format: 'sap' }, '20240501083000')).toBe('2024-05-01T08:30:00.000Z');
    expect(run('timestamp', { format: 'sap' }, '00000000000000')).toBeNull();
    expect(run('timestamp', { format: 'epochSeconds' }, '1714552200')).toBe('2024-05-01T08:30:00.000Z');
    expect(run('timestamp', { format: 'epochMillis' }, '1714552200123')).toBe('2024-05-01T08:30:00.123Z');
  });

  it('refuses impossible instants', () => {
    expect(run('timestamp', { format: 'iso' }, '2024-02-30T10:00:00Z')).toMatchObject({ code: 'ingest.invalid_date' });
    expect(run('timestamp', { format: 'iso' }, '2024-05-01T24:00:00Z')).toMatchObject({ code: 'ingest.invalid_date' });
    expect(run('timestamp', { format: 'sap' }, '2024050108300')).toMatchObject({ code: 'ingest.invalid_date' });
  });
});
