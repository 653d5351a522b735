/** The cross-reference's bulk write: entries travel a line each, so keys and values that hold separators must come back whole (raw hashes too). */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { openDatabase, withTenant, type Database } from '../db/index.ts';
import { newId } from '../shared/index.ts';
import { createTenantDirectory, type Tenant } from '../tenancy/index.ts';
import { recordRawHashes, upsertXref, xrefByKeys, type XrefEntry } from './ingest.repository.ts';

let database: TestDatabase;
let app: Database;
let tenant: Tenant;

beforeAll(async () => {
  database = await createTestDatabase();
  app = openDatabase(database.appUrl, { max: 2 });
  tenant = await createTenantDirectory(app.db).createTenant({ slug: `xref-${Math.random().toString(36).slice(2, 8)}`, name: 'Cross-reference' });
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

/** Text PostgreSQL stores: no U+0000, no unpaired surrogate (the pipeline rejects both before it writes). */
const storable = fc.string({ unit: 'binary', maxLength: 40 }).filter((text) => !/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text));
const separators = fc.constantFrom('\t', '\n', '\r\n', '\\', '\\t', '"', "'", '{}', '\u2028', '🧾');
const awkward = fc.oneof(storable, fc.tuple(storable, separators, storable).map((parts) => parts.join('')));

describe('cross-reference bulk writes', () => {
  it('reads back every entry as written, whatever its key and values hold, and overwrites it on a second write', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(awkward.filter((key) => key !== ''), { minLength: 1, maxLength: 20 }),
        fc.dictionary(awkward.filter((key) => key !== ''), fc.oneof(awkward, fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 5 }),
        fc.boolean(),
        async (keys, values, deleted) => {
          const system = `ERP-${newId()}`;
          const write = (entries: XrefEntry[]) => withTenant(app.db, { tenantId: tenant.id }, (tx) => upsertXref(tx, tenant.id, system, 'outlet', newId(), entries));
          const read = async () => {
            const stored = await withTenant(app.db, { tenantId: tenant.id }, (tx) => xrefByKeys(tx, tenant.id, system, 'outlet', keys));
            return keys.map((key) => {
              const { lastRunId: _, ...entry } = stored.get(key)!;
              return entry;
            });
          };
          // Every other entry with a raw hash (base64url, as rawHashOf makes them), the others without: null.
          const first = keys.map((sourceKey, index) => ({ sourceKey, recordId: newId(), contentHash: `h${index}`, rawHash: index % 2 === 0 ? `r-${index}_A` : null, sourceValues: { ...values, index }, deletedInSource: false }));
          await write(first);
          expect(await read()).toEqual(first);
          // A write that knows no raw hash (a full load's missing record) clears it: its next row is prepared again.
          const second = first.map((entry, index) => ({ ...entry, contentHash: `${entry.contentHash}'`, rawHash: index % 3 === 0 ? `r${index}` : undefined, sourceValues: { key: entry.sourceKey }, deletedInSource: deleted }));
          await write(second);
          expect(await read()).toEqual(second.map((entry) => ({ ...entry, rawHash: entry.rawHash ?? null })));
          // recordRawHashes sets the raw hash alone.
          await withTenant(app.db, { tenantId: tenant.id }, (tx) => recordRawHashes(tx, tenant.id, system, 'outlet', keys.map((sourceKey) => ({ sourceKey, rawHash: 'again' }))));
          expect(await read()).toEqual(second.map((entry) => ({ ...entry, rawHash: 'again' })));
        },
      ),
      { numRuns: 40 },
    );
  });
});
