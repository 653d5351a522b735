import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { ktCategory, ktWidget } from '../../../test/model/kernel-test.model.ts';
import { testModules } from '../../../test/support/test-env.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { createRegistry } from '../model/index.ts';
import { createTenantDirectory } from '../tenancy/index.ts';
import { createRecordService, type RecordChange } from './index.ts';

let database: TestDatabase;
let app: Database;
const changes: RecordChange[] = [];
let failNext = false;

beforeAll(async () => {
  database = await createTestDatabase();
  app = openDatabase(database.appUrl, { max: 2 });
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

describe('record listeners', () => {
  it('see every write in API form, before and after, inside the write transaction', async () => {
    const tenant = await createTenantDirectory(app.db).createTenant({ slug: 'listened', name: 'Listened' });
    const records = createRecordService(app.db, createRegistry(testModules.flatMap((module) => module.entities)), {
      listeners: [
        {
          async afterWrite(_tx, change) {
            if (failNext) throw new Error('listener refused');
            changes.push(change);
          },
        },
      ],
    });
    const context = { tenantId: tenant.id, requestId: 'req-1', ip: '127.0.0.1' };
    const created = await records.create(context, ktWidget, { code: 'L-1', name: 'First', weight: '1.500' });
    const updated = await records.update(context, ktWidget, created.id, 1, { name: 'Second' });
    await records.remove(context, ktWidget, created.id, 2);
    expect(changes.map((change) => [change.action, change.before?.name ?? null, change.after?.name ?? null])).toEqual([
      ['create', null, 'First'],
      ['update', 'First', 'Second'],
      ['delete', 'Second', 'Second'],
    ]);
    expect(changes[1]!.before).toMatchObject({ version: 1, weight: '1.500' });
    expect(changes[1]!.after).toEqual(updated);
    expect(changes[2]!.context).toMatchObject({ requestId: 'req-1', ip: '127.0.0.1' });

    failNext = true;
    await expect(records.create(context, ktCategory, { code: 'NOPE', title: 'Rolled back' })).rejects.toThrow('listener refused');
    failNext = false;
    const list = await records.list(context, ktCategory, { code: 'NOPE' }, { defaultLimit: 10, maxLimit: 10 });
    expect(list.data).toEqual([]); // a listener that throws aborts the write
  });
});
