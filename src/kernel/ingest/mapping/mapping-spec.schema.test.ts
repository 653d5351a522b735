import { describe, expect, it } from 'vitest';
import type { MappingSpec } from '../ingest.contract.ts';
import { validateMappingSpec } from './mapping-spec.schema.ts';
import { outletTarget, productTarget } from './retail-targets.fixture.ts';
import { kna1OutletSpec, maraProductSpec } from './sap-specs.fixture.ts';

const withFields = (fields: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ ...kna1OutletSpec, ...rest, fields: { ...kna1OutletSpec.fields, ...fields } });

function problemsOf(input: unknown, target = outletTarget) {
  const result = validateMappingSpec(input, target);
  return result.ok ? [] : result.problems;
}

const pointers = (input: unknown) => problemsOf(input).map((problem) => problem.pointer);

describe('validating mapping specs', () => {
  it('accepts the SAP specs', () => {
    expect(validateMappingSpec(kna1OutletSpec, outletTarget)).toEqual({ ok: true, spec: kna1OutletSpec });
    expect(validateMappingSpec(maraProductSpec, productTarget).ok).toBe(true);
  });

  it('refuses unknown, system, read-only and unknown custom fields, with a suggestion', () => {
    const problems = problemsOf(withFields({ nmae: { from: 'X' }, id: { from: 'X' }, version: { from: 'X' }, syncedAt: { from: 'X' }, 'ext.unknownKey': { from: 'X' }, 'ext.customerSince': { from: 'ERDAT', transforms: [{ op: 'sapDate' }] } }));
    expect(problems).toEqual([
      { pointer: '/fields/nmae', detail: expect.stringContaining('did you mean name?') },
      { pointer: '/fields/id', detail: expect.stringContaining('system field') },
      { pointer: '/fields/version', detail: expect.stringContaining('system field') },
      { pointer: '/fields/syncedAt', detail: expect.stringContaining('read-only') },
      { pointer: '/fields/ext.unknownKey', detail: expect.stringContaining('not a custom field of outlet') },
    ]);
  });

  it('refuses unknown ops, bad options, wrong option types, unsafe patterns and unknown date formats', () => {
    const problems = problemsOf(
      withFields({
        name: { from: 'NAME1', transforms: [{ op: 'trim' }, { op: 'uper' }] },
        creditLimit: { from: 'KLIMK', transforms: [{ op: 'money', currency: 'EURO' }] },
        balance: { from: 'SALDO', transforms: [{ op: 'money', currency: 'EUR', decimalSeparator: ';', colour: 'red' }] },
        channel: { from: 'KTOKD', transforms: [{ op: 'lookup', table: 'Z001=supermarket' }] },
        'ext.customerSince': { from: 'ERDAT', transforms: [{ op: 'date', format: 'YY-MM-DD' }] },
        region: { from: 'REGIO', transforms: [{ op: 'regexReplace', pattern: '^(\\w+\\s?)+$', with: '' }] },
        street: { from: 'STRAS', transforms: [{ op: 'padStart', length: '10' }] },
        city: { from: 'ORT01', transforms: [{ op: 'timestamp', format: 'iso', timeZone: 'Mars/Olympus' }] },
      }),
    );
    expect(problems.map((problem) => problem.pointer)).toEqual([
      '/fields/name/transforms/1/op',
      '/fields/channel/transforms/0/table',
      '/fields/street/transforms/0/length',
      '/fields/city/transforms/0/timeZone',
      '/fields/region/transforms/0/pattern',
      '/fields/creditLimit/transforms/0/currency',
      '/fields/balance/transforms/0/colour',
      '/fields/balance/transforms/0/decimalSeparator',
      '/fields/ext.customerSince/transforms/0/format',
    ]);
    expect(problems[0]!.detail).toBe('unknown op "uper" (did you mean upper?)');
    expect(problems[4]!.detail).toMatch(/nested quantifiers/);
    expect(problems[6]!.detail).toBe('unknown property');
  });

  it('refuses required fields without a default that are not mapped, but not those with one', () => {
    const { code: _code, channel: _channel, status: _status, ...fields } = kna1OutletSpec.fields;
    const problems = problemsOf({ ...kna1OutletSpec, fields, sourceOwned: undefined });
    expect(problems).toEqual([
      { pointer: '/fields/code', detail: 'required by outlet (no default) but not mapped' },
      { pointer: '/fields/channel', detail: 'required by outlet (no default) but not mapped' },
    ]);
  });

  it('refuses normalize rules, matching fields and source-owned fields that are not mapped, and bad thresholds', () => {
    const problems = problemsOf({
      ...kna1OutletSpec,
      normalize: { foo: 'text', segment: 'upper', name: 'shout', creditLimit: 'text', phone: { kind: 'phone', countryField: 'land', defaultCountry: 'XX' } },
      matching: { exact: ['segment'], fuzzy: { fields: ['name'], blockBy: ['latitude'], high: 0.5, low: 0.7 } },
      sourceOwned: ['name', 'minimumOrder'],
    });
    expect(problems.map(({ pointer }) => pointer)).toEqual([
      '/normalize/foo',
      '/normalize/segment',
      '/normalize/name',
      '/normalize/creditLimit',
      '/normalize/phone/countryField',
      '/normalize/phone/defaultCountry',
      '/matching/exact/0',
      '/matching/fuzzy/blockBy/0',
      '/matching/fuzzy',
      '/sourceOwned/1',
    ]);
    expect(problemsOf({ ...kna1OutletSpec, matching: { fuzzy: { fields: ['name'], high: 1, low: 0 } } })).toEqual([{ pointer: '/matching/fuzzy', detail: expect.stringContaining('0 < low <= high <= 1') }]);
  });

  it('refuses exact keys that no index looks up (a run would read the whole table every chunk), naming those that can be', () => {
    const problems = problemsOf({ ...kna1OutletSpec, matching: { exact: ['taxId', 'code', 'email', 'phone', 'postalCode', 'creditLimit', 'ext.accountGroup'] } });
    expect(problems).toEqual([
      { pointer: '/matching/exact/4', detail: 'no index looks outlets up by postalCode: a run would read them all for every chunk. Exact keys of outlet: code, name, city, phone, email, taxId, priceList, territory' },
      { pointer: '/matching/exact/5', detail: expect.stringContaining('creditLimit') },
      { pointer: '/matching/exact/6', detail: expect.stringContaining('custom field') },
    ]);
    expect(problemsOf({ ...maraProductSpec, matching: { exact: ['gtin', 'sku'] } }, productTarget)).toEqual([]);
  });

  it('refuses survivorship rules of unmapped fields or unknown sides, and fuzzy fields that are not text', () => {
    const problems = problemsOf({
      ...kna1OutletSpec,
      matching: { fuzzy: { fields: ['name', 'creditLimit'], high: 0.9, low: 0.6 }, survivorship: { name: 'local', email: 'nonEmpty', segment: 'source', city: 'newest' } as never },
    });
    expect(problems).toEqual([
      { pointer: '/matching/survivorship/segment', detail: '"segment" is not mapped by this spec' },
      { pointer: '/matching/survivorship/city', detail: 'must be one of source, local, nonEmpty, fillEmpty' },
      { pointer: '/matching/fuzzy/fields/1', detail: 'fuzzy matching compares text; creditLimit is money' },
    ]);
    expect(problemsOf({ ...kna1OutletSpec, matching: { survivorship: { name: 'fillEmpty', phone: 'source' } } })).toEqual([]);
  });

  it('refuses a chain whose result cannot fit the field', () => {
    const problems = problemsOf(
      withFields({
        name: { from: ['NAME1', 'NAME2'], transforms: [{ op: 'trim' }] },
        street: { from: 'STRAS', transforms: [{ op: 'money', currency: 'EUR' }] },
        creditLimit: { from: 'KLIMK' },
        channel: { from: 'KTOKD', transforms: [{ op: 'lookup', table: { Z001: 'supermarket', Z002: 'superstore' } }] },
        paymentTermsDays: { from: 'ZTERM', transforms: [{ op: 'lookup', table: { Z030: 'thirty' } }] },
        region: { from: ['REGIO', 'LAND1'], transforms: [{ op: 'join' }, { op: 'sapDate' }, { op: 'money', currency: 'EUR' }] },
        country: { from: 'LAND1', default: 42 },
        status: { constant: 'open', transforms: [{ op: 'when', if: { field: 'AUFSD', empty: false }, then: 'blocked' }, { op: 'when', if: { field: 'LOEVM', equals: 'X' }, then: 'gone' }] },
      }),
    );
    expect(problems.map(({ pointer }) => pointer)).toEqual([
      '/fields/name/transforms/0',
      '/fields/channel/transforms/0/table/Z002',
      '/fields/status/transforms/1/then',
      '/fields/status/constant',
      '/fields/street/transforms/0',
      '/fields/region/transforms/2',
      '/fields/creditLimit/from',
      '/fields/paymentTermsDays/transforms/0/table/Z030',
    ]);
  });

  it('refuses malformed conditions, a key condition and a missing deactivation field', () => {
    const problems = problemsOf({
      ...withFields({ segment: { from: 'KLABC', when: { field: 'X', equals: 'A', in: ['B'] } } }),
      key: { from: 'KUNNR', when: { field: 'X', empty: true } },
      deletion: { any: [{ field: 'LOEVM', equals: 'X' }, { all: [] }, { not: { field: '', empty: 'yes' } }] },
      missing: { action: 'softDelete', value: false },
    });
    expect(problems.map(({ pointer }) => pointer)).toEqual(['/key/when', '/fields/segment/when', '/deletion/any/1/all', '/deletion/any/2/not/field', '/deletion/any/2/not/empty', '/missing/value']);
    expect(pointers({ ...kna1OutletSpec, missing: { action: 'deactivate', field: 'status', value: 'gone' } })).toEqual(['/missing/value']);
  });

  it('refuses the wrong document: version, entity, unknown sections, csv options of json, header without a read field', () => {
    const { key: _key, ...noKey } = kna1OutletSpec;
    expect(problemsOf({ ...noKey, specVersion: 2, entity: 'product', extra: true, source: { format: 'ndjson', delimiter: ';' } })).toEqual([
      { pointer: '/key', detail: 'is required' },
      { pointer: '/extra', detail: 'unknown property' },
      { pointer: '/specVersion', detail: 'must be 1' },
      { pointer: '/entity', detail: 'the target entity is outlet' },
      { pointer: '/source/delimiter', detail: 'only for csv' },
    ]);
    expect(problemsOf({ ...kna1OutletSpec, source: { format: 'csv', header: ['KUNNR', 'NAME1'] } }).slice(0, 2)).toEqual([
      { pointer: '/fields/name', detail: 'reads "NAME2", which is not in source.header' },
      { pointer: '/fields/legalName', detail: 'reads "NAME2", which is not in source.header' },
    ]);
    // The records pointer is for JSON documents, and a JSON Pointer.
    expect(problemsOf({ ...kna1OutletSpec, source: { format: 'csv', delimiter: ';', records: '/d/results' } })).toEqual([{ pointer: '/source/records', detail: 'only for json' }]);
    expect(problemsOf({ ...kna1OutletSpec, source: { format: 'json', records: 'd/results' } })).toEqual([{ pointer: '/source/records', detail: expect.stringContaining('must match pattern') }]);
    expect(problemsOf({ ...kna1OutletSpec, source: { format: 'json', records: '/d/results' } })).toEqual([]);
    // How JSON columns read is a JSON option: CSV columns are always names.
    expect(problemsOf({ ...kna1OutletSpec, source: { format: 'csv', delimiter: ';', columns: 'names' } })).toEqual([{ pointer: '/source/columns', detail: 'only for json and ndjson' }]);
    expect(problemsOf({ ...kna1OutletSpec, source: { format: 'ndjson', columns: 'paths' } })).toEqual([{ pointer: '/source/columns', detail: expect.stringContaining('must be') }]);
    expect(problemsOf('spec')).toEqual([{ pointer: '', detail: 'a mapping spec is a JSON object' }]);
  });

  it('refuses a JSON spec column that begins with "/" but is no JSON Pointer; in CSV it is a column name', () => {
    const json = { ...kna1OutletSpec, source: { format: 'ndjson' } };
    expect(problemsOf({ ...json, fields: { ...json.fields, city: { from: '/to_Address/results/0/City~2Name' } }, deletion: { field: '/flags/LOEVM~', equals: 'X' } })).toEqual([
      { pointer: '/fields/city', detail: '"/to_Address/results/0/City~2Name" begins with "/" but is no JSON Pointer: in a member name write "~" as "~0" and "/" as "~1"' },
      { pointer: '/deletion', detail: expect.stringContaining('"/flags/LOEVM~" begins with "/"') },
    ]);
    expect(problemsOf({ ...json, fields: { ...json.fields, city: { from: '/to_Address/results/0/City~0Name~1' } } })).toEqual([]);
    // SAP BW's InfoObject names begin with "/": a CSV column, read as named; so in JSON with columns: names.
    expect(problemsOf(withFields({ city: { from: '/BIC/ZCITY~2' } }))).toEqual([]);
    expect(problemsOf({ ...json, source: { format: 'ndjson', columns: 'names' }, fields: { ...json.fields, city: { from: '/BIC/ZCITY~2' } } })).toEqual([]);
  });

  it('escapes field names in pointers (RFC 6901)', () => {
    expect(pointers(withFields({ 'a/b~c': { from: 'X' } }))).toEqual(['/fields/a~1b~0c']);
  });

  it('reports every problem at once', () => {
    const spec = withFields({ nmae: { from: 'X' }, name: { from: 'NAME1', transforms: [{ op: 'nope' }] } }, { system: '', normalize: { foo: 'text' } }) as unknown as MappingSpec;
    expect(pointers(spec)).toEqual(['/system', '/fields/name/transforms/0/op', '/fields/nmae', '/normalize/foo']);
  });
});
