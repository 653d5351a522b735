import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapePointer } from '../../shared/index.ts';
import { compilePointerReader, writeAtPointer } from './source-pointers.ts';

const partner = {
  BusinessPartner: '17100001',
  to_BusinessPartnerAddress: { results: [{ CityName: 'Stuttgart', to_PhoneNumber: { results: [] } }, { CityName: 'Berlin' }] },
  to_Customer: { Customer: '0017100001', DeletionIndicator: false },
  'a/b~c': 'escaped',
  // JSON.parse makes `__proto__` an own member: a pointer reads it as any other.
  ...(JSON.parse('{"__proto__": {"x": "own"}}') as object),
};

describe('JSON Pointer columns of nested JSON records', () => {
  it('reads members, 1:1 and 1:n navigations, escaped names; a pointer to nothing reads undefined', () => {
    const columns = ['BusinessPartner', '/to_Customer/Customer', '/to_BusinessPartnerAddress/results/1/CityName', '/a~1b~0c', '/to_Customer/DeletionIndicator', '/__proto__/x', '/constructor', '/to_BusinessPartnerAddress/results/2/CityName', '/to_BusinessPartnerAddress/results/x', '/to_BusinessPartnerAddress/results/01/CityName', '/BusinessPartner/length', '/to_BusinessPartnerAddress/results/0/to_PhoneNumber/results/0/PhoneNumber'];
    const read = compilePointerReader({ format: 'json' }, columns)!;
    const values = read(partner);
    expect(values).toMatchObject({ BusinessPartner: '17100001', '/to_Customer/Customer': '0017100001', '/to_BusinessPartnerAddress/results/1/CityName': 'Berlin', '/a~1b~0c': 'escaped', '/to_Customer/DeletionIndicator': false, '/__proto__/x': 'own' });
    for (const missing of columns.slice(6)) expect(values[missing]).toBeUndefined();
    // The row's own values stay as read (rejects and re-submission keep them).
    expect(Object.keys(partner)).not.toContain('/to_Customer/Customer');
  });

  it('reads a member named as the pointer is written when the pointer finds nothing (a flat batch for a CSV spec)', () => {
    const read = compilePointerReader({ format: 'ndjson' }, ['/BIC/ZCITY', '/to_Customer/Customer'])!;
    expect(read({ '/BIC/ZCITY': 'Ulm', '/to_Customer/Customer': 'flat', to_Customer: { Customer: 'nested' } })).toMatchObject({ '/BIC/ZCITY': 'Ulm', '/to_Customer/Customer': 'nested' });
  });

  it('reads nothing more for CSV (a column such as /BIC/ZCITY is a name there) or specs without pointers', () => {
    expect(compilePointerReader({ format: 'csv' }, ['/BIC/ZCITY'])).toBeUndefined();
    expect(compilePointerReader({ format: 'ndjson' }, ['NAME1', 'KUNNR'])).toBeUndefined();
  });

  it('reads every column as a member name when the JSON source says columns: names', () => {
    expect(compilePointerReader({ format: 'ndjson', columns: 'names' }, ['/BIC/ZCITY', '/A~B'])).toBeUndefined();
    expect(compilePointerReader({ format: 'json', columns: 'pointers' }, ['/BIC/ZCITY'])).toBeDefined();
  });

  it('writes nested values that it reads back (export), never the prototype, and refuses a value in the way', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', '0', '1', 'a/b', '~')), { minLength: 1, maxLength: 4 }), { maxLength: 6 }), fc.string(), (paths, text) => {
        const row: Record<string, unknown> = {};
        const pointers = paths.map((tokens) => `/${tokens.map(escapePointer).join('/')}`);
        const written = pointers.filter((pointer) => writeAtPointer(row, pointer, `${text}${pointer}`));
        const read = compilePointerReader({ format: 'json' }, written)!;
        if (written.length > 0) {
          const values = read(row);
          // A later pointer may have written below an earlier one's text: only the last word counts.
          for (const pointer of written) if (!written.some((other) => other !== pointer && other.startsWith(`${pointer}/`))) expect(values[pointer]).toBe(`${text}${pointer}`);
        }
        expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      }),
    );
    const row: Record<string, unknown> = {};
    expect(writeAtPointer(row, '/a/0/b', 'x')).toBe(true);
    expect(row).toEqual({ a: [{ b: 'x' }] });
    expect(writeAtPointer(row, '/a/0/b/c', 'y')).toBe(false);
    expect(writeAtPointer(row, '/a/x', 'y')).toBe(false);
    expect(writeAtPointer(row, '/a/0', 'y')).toBe(false);
  });
});
