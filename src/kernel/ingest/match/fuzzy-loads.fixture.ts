/** Loads of outlets through a spec with fuzzy matching, on a test platform: a fresh tenant per test, CSV lines in. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { TestPlatform } from '../../../../test/support/platform.ts';
import { makeTempDir } from '../../../../test/support/temp-dir.ts';
import { withTenant, type TenantContext } from '../../db/index.ts';
import type { ApiRecord } from '../../records/index.ts';
import type { IngestRun, MappingSpec } from '../index.ts';

export const fuzzySpec = (matching: Partial<NonNullable<MappingSpec['matching']>> = {}): MappingSpec => ({
  specVersion: 1,
  name: 'kna1-fuzzy',
  entity: 'outlet',
  system: 'SAP-FUZZY',
  source: { format: 'csv', delimiter: ';' },
  key: { from: 'KUNNR' },
  fields: {
    code: { from: 'KUNNR' },
    name: { from: 'NAME1' },
    channel: { constant: 'kiosk' },
    street: { from: 'STRAS' },
    postalCode: { from: 'PSTLZ' },
    city: { from: 'ORT01' },
    country: { constant: 'DE' },
    phone: { from: 'TELF1' },
    email: { from: 'SMTP_ADDR' },
    taxId: { from: 'STCEG' },
  },
  normalize: { name: 'name', street: 'address', phone: { kind: 'phone', countryField: 'country' }, email: 'email' },
  matching: { fuzzy: { fields: ['name', 'street'], blockBy: ['postalCode'], high: 0.85, low: 0.6 }, ...matching },
  sourceOwned: ['code', 'name', 'street', 'postalCode', 'city', 'phone', 'taxId'],
});

/** A CSV line: KUNNR;NAME1;STRAS;PSTLZ;ORT01;TELF1;SMTP_ADDR;STCEG */
export type Line = string;

export function fuzzyLoads(t: TestPlatform) {
  const dir = makeTempDir('fuzzy-loads-');
  const outlet = t.platform.registry.find('outlet')!;
  let counter = 0;
  const file = (lines: readonly Line[]) => {
    const path = join(dir, `file-${++counter}.csv`);
    writeFileSync(path, ['KUNNR;NAME1;STRAS;PSTLZ;ORT01;TELF1;SMTP_ADDR;STCEG', ...lines].join('\n') + '\n');
    return path;
  };
  return {
    outlet,
    /** A tenant of its own with the spec saved. */
    async tenant(matching?: Partial<NonNullable<MappingSpec['matching']>>, settings?: Record<string, unknown>): Promise<TenantContext> {
      const tenant = await t.platform.tenants.createTenant({ slug: `fuzzy-${++counter}-${Math.random().toString(36).slice(2, 8)}`, name: 'Fuzzy', ...(settings ? { settings } : {}) });
      await t.platform.ingest.saveSpec({ tenantId: tenant.id }, 'kna1-fuzzy', fuzzySpec(matching));
      return { tenantId: tenant.id };
    },
    file,
    async load(context: TenantContext, ...lines: Line[]): Promise<IngestRun> {
      const run = await t.platform.ingest.createRun(context, { spec: 'kna1-fuzzy', mode: 'delta', file: { path: file(lines), name: 'kna1.csv' } });
      return t.platform.ingest.executeRun(context, run.id);
    },
    async outlets(context: TenantContext): Promise<ApiRecord[]> {
      return (await t.platform.records.list(context, outlet, { limit: '200', sort: 'code' }, { defaultLimit: 50, maxLimit: 200 })).data;
    },
    /** An outlet entered in the app (not by a load). */
    local: (context: TenantContext, values: Record<string, unknown>) => t.platform.records.create(context, outlet, { channel: 'kiosk', country: 'DE', ...values }),
    async xrefOf(context: TenantContext, key: string): Promise<string | undefined> {
      return withTenant(t.platform.database.db, context, async (tx) => (await sql<{ record_id: string }>`select record_id from ingest_xref where source_key = ${key}`.execute(tx)).rows[0]?.record_id);
    },
  };
}
