/**
 * Mapping round-trip: any valid record of the kernel test model (every field kind) written through
 * the API reads back equal, in API form, after a trip through its columns.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let t: TestPlatform;
let tenant: string;
beforeAll(async () => {
  t = await startTestPlatform();
  tenant = (await t.createTenant()).slug;
});
afterAll(() => t.close());

const text = (max: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength: max }).filter((value) => !value.includes('\u0000') && value.length <= max);
const jsonLeaf = fc.oneof(fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => (Object.is(value, -0) ? 0 : value)), text(20), fc.constant(null));
const widget = fc.record(
  {
    name: text(200),
    quantity: fc.option(fc.integer({ min: 0, max: 1_000_000 })),
    weight: fc.option(fc.tuple(fc.integer({ min: -999_999_999, max: 999_999_999 }), fc.integer({ min: 0, max: 999 })).map(([whole, part]) => `${whole}.${String(part).padStart(3, '0')}`)),
    price: fc.option(fc.record({ amount: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), currency: fc.constantFrom('EUR', 'USD', 'MAD') })),
    fixedFee: fc.option(fc.record({ amount: fc.integer({ min: 0, max: 10_000_000 }), currency: fc.constant('EUR') })),
    enabled: fc.boolean(),
    availableOn: fc.option(fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10))),
    inspectedAt: fc.option(fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((date) => date.toISOString())),
    status: fc.constantFrom('draft', 'active', 'retired'),
    attributes: fc.option(fc.dictionary(text(10), fc.oneof(jsonLeaf, fc.array(jsonLeaf, { maxLength: 3 })), { maxKeys: 5 })),
    title: fc.option(fc.dictionary(fc.constantFrom('en', 'fr', 'ar', 'fr-CA', 'zh-Hant'), text(120), { minKeys: 0, maxKeys: 3 })),
    ownerEmail: fc.option(fc.emailAddress().filter((email) => email.length <= 254)),
  },
  { requiredKeys: ['name', 'enabled', 'status'] },
);

describe('model round-trip', () => {
  it('reads back every field kind exactly as written (text in NFC)', async () => {
    let counter = 0;
    await fc.assert(
      fc.asyncProperty(widget, async (input) => {
        const body = { ...input, code: `RT-${++counter}` };
        const created = await t.platform.http.inject({ method: 'POST', url: '/v1/kt-widgets', headers: { 'x-tenant': tenant }, payload: body });
        expect(created.statusCode, created.body).toBe(201);
        const read = await t.platform.http.inject({ method: 'GET', url: `/v1/kt-widgets/${created.json().id}`, headers: { 'x-tenant': tenant } });
        const expected: Record<string, unknown> = { ...body, name: body.name.normalize('NFC') };
        if (body.title) expected.title = Object.fromEntries(Object.entries(body.title).map(([locale, value]) => [locale, value.normalize('NFC')]));
        expect(read.json()).toMatchObject(expected);
      }),
      { numRuns: 60, seed: 20261120 },
    );
  });
});
