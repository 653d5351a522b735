import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transformOps } from './transforms.ts';
import { TransformFailure, type SourceValues } from './transform-op.ts';

const run = (op: string, options: Record<string, unknown>, value: unknown, row: SourceValues = {}) => transformOps.get(op)!.compile(options)(value, row);

describe('text ops', () => {
  it('trims, collapses whitespace (tabs, line breaks, no-break spaces) and changes case', () => {
    expect(run('trim', {}, '  Müller  ')).toBe('Müller');
    expect(run('collapseWhitespace', {}, ' Haupt\u00a0 str.\t\n5 ')).toBe('Haupt str. 5');
    expect(run('upper', {}, 'straße')).toBe('STRASSE');
    expect(run('lower', {}, 'INFO@Example.DE')).toBe('info@example.de');
  });

  it('title-cases each word after a space, hyphen, slash or parenthesis', () => {
    expect(run('title', {}, 'MÜNCHEN-SCHWABING')).toBe('München-Schwabing');
    expect(run('title', {}, "o'neil's 3rd shop (north)/annex")).toBe("O'neil's 3rd Shop (North)/Annex");
  });

  it('strips the zeros of an all-digit SAP key and keeps alphanumeric keys', () => {
    expect(run('stripLeadingZeros', {}, '0000012345')).toBe('12345');
    expect(run('stripLeadingZeros', {}, ' 0000012345 ')).toBe('12345');
    expect(run('stripLeadingZeros', {}, '00A0123')).toBe('00A0123');
    expect(run('stripLeadingZeros', {}, '0000000000')).toBe('0');
    expect(run('stripLeadingZeros', { allZero: 'empty' }, '0000000000')).toBe('');
  });

  it('pads, slices and replaces literally', () => {
    expect(run('padStart', { length: 6 }, '42')).toBe('000042');
    expect(run('padStart', { length: 4, fill: ' ' }, 'AB')).toBe('  AB');
    expect(run('padStart', { length: 6 }, '')).toBe('');
    expect(run('substring', { start: 2, length: 3 }, 'DE123456789')).toBe('123');
    expect(run('substring', { start: 2 }, 'DE123')).toBe('123');
    expect(run('replace', { find: '.', with: '' }, '1.234.567')).toBe('1234567');
    expect(run('replace', { find: '(a+)+' }, 'x(a+)+y')).toBe('xy');
  });

  it('replaces by a safe regular expression compiled once, with groups', () => {
    const step = transformOps.get('regexReplace')!.compile({ pattern: '^\\+49\\s*\\(0\\)', with: '+49 ' });
    expect(step('+49 (0)89 123', {})).toBe('+49 89 123');
    expect(run('regexReplace', { pattern: '(\\d{5})-(\\d{4})', with: '$2/$1' }, '12345-6789')).toBe('6789/12345');
    expect(run('regexReplace', { pattern: 'gmbh', with: 'GmbH', flags: 'i' }, 'Müller gmbh, GMBH')).toBe('Müller GmbH, GmbH');
  });

  it('keeps null and maps lists element by element', () => {
    expect(run('trim', {}, null)).toBeNull();
    expect(run('upper', {}, [' a', null, 'b'])).toEqual([' A', null, 'B']);
    expect(run('trim', {}, 12.5)).toBe('12.5');
    expect(run('trim', {}, { a: 1 })).toBeInstanceOf(TransformFailure);
  });

  it('is idempotent: trim, collapseWhitespace, upper, lower, title, stripLeadingZeros applied twice equal once', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'B', 'ß', 'é', '0', '1', ' ', '\t', '\u00a0', '-', '/', '(', 'İ', 'x') });
    for (const op of ['trim', 'collapseWhitespace', 'upper', 'lower', 'title', 'stripLeadingZeros']) {
      const step = transformOps.get(op)!.compile({});
      fc.assert(fc.property(text, (value) => step(step(value, {}), {}) === step(value, {})));
    }
  });
});

describe('list ops', () => {
  it('joins several source fields, skipping empty and blank parts', () => {
    expect(run('join', {}, ['Müller Markt', '  ', null, 'GmbH'])).toBe('Müller Markt GmbH');
    expect(run('join', { separator: ', ' }, ['a', 'b'])).toBe('a, b');
    expect(run('join', {}, ['', null])).toBeNull();
    expect(run('join', {}, 'single')).toBe('single');
  });

  it('splits into a list or picks one part, from the end too', () => {
    expect(run('split', { separator: '/' }, 'a/b/c')).toEqual(['a', 'b', 'c']);
    expect(run('split', { separator: '/', index: 1 }, 'a/b/c')).toBe('b');
    expect(run('split', { separator: '/', index: -1 }, 'a/b/c')).toBe('c');
    expect(run('split', { separator: '/', index: 5 }, 'a/b')).toBeNull();
  });

  it('concatenates as is, wraps a non-empty result in prefix and suffix, and coalesces', () => {
    expect(run('concat', {}, ['DE', null, '123'])).toBe('DE123');
    expect(run('concat', { prefix: 'SAP-' }, '42')).toBe('SAP-42');
    expect(run('concat', { prefix: 'SAP-' }, '')).toBe('');
    expect(run('coalesce', {}, ['', '  ', 'b@x.de', 'c@x.de'])).toBe('b@x.de');
    expect(run('coalesce', {}, [null, ''])).toBeNull();
  });
});

describe('value ops', () => {
  it('fills an empty value with a default and replaces with a constant', () => {
    expect(run('default', { value: 'other' }, '  ')).toBe('other');
    expect(run('default', { value: 'other' }, 'kiosk')).toBe('kiosk');
    expect(run('constant', { value: { a: 1 } }, 'x')).toEqual({ a: 1 });
  });

  it('treats listed values as empty', () => {
    expect(run('nullIf', { values: ['N/A', '-'] }, ' N/A ')).toBeNull();
    expect(run('nullIf', { values: ['N/A'] }, 'Berlin')).toBe('Berlin');
  });

  it('picks a value by a condition on the source row', () => {
    const options = { if: { field: 'AUFSD', empty: false }, then: 'blocked' };
    expect(run('when', options, 'active', { AUFSD: '01' })).toBe('blocked');
    expect(run('when', options, 'active', { AUFSD: ' ' })).toBe('active');
    expect(run('when', { ...options, else: 'open' }, 'active', { AUFSD: '' })).toBe('open');
  });

  it('reads yes/no values: SAP X/blank by default, configurable lists, blank per the lists', () => {
    expect(run('boolean', {}, 'X')).toBe(true);
    expect(run('boolean', {}, ' ')).toBe(false);
    expect(run('boolean', {}, null)).toBe(false);
    expect(run('boolean', {}, 'ja')).toBe(true);
    expect(run('boolean', {}, 'Nein')).toBe(false);
    expect(run('boolean', {}, 'vielleicht')).toMatchObject({ code: 'ingest.invalid_value' });
    expect(run('boolean', { trueValues: [''], falseValues: ['X'] }, '')).toBe(true);
    expect(run('boolean', { trueValues: ['Y'], falseValues: ['N'] }, '')).toBeNull();
    expect(run('not', {}, true)).toBe(false);
    expect(run('not', {}, 'X')).toMatchObject({ code: 'ingest.invalid_value' });
  });
});
