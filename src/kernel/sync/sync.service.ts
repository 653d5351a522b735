/** The sync service: pull (pull.service.ts), push (push.service.ts) and retention of the change log. */
import type { Kysely } from 'kysely';
import { withTenant } from '../db/index.ts';
import type { ModelRegistry } from '../model/index.ts';
import type { RecordService } from '../records/index.ts';
import { createPull } from './pull.service.ts';
import { createPush } from './push.service.ts';
import { createCursorCodec } from './sync-cursor.ts';
import type { SyncService } from './sync.contract.ts';
import { purgeChanges } from './sync.repository.ts';

export interface SyncOptions {
  /** Key material of the cursor signatures (TOKEN_SECRET). */
  secret: string;
}

export function createSyncService(db: Kysely<any>, registry: ModelRegistry, records: RecordService, options: SyncOptions): SyncService {
  const pull = createPull(db, registry, records, createCursorCodec(options.secret));
  return {
    pull,
    push: createPush(db, registry, records),
    purge: (tenantId, cutoff) => withTenant(db, { tenantId }, (tx) => purgeChanges(tx, tenantId, cutoff)),
  };
}
