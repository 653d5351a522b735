/**
 * No missed change: writers commit transactions out of order (a transaction that began first commits
 * last) while readers pull, over many rounds. Every version a transaction committed reaches the
 * reader, or a later version of the same row does; no version arrives twice in the log phase; a
 * scoped reader receives nothing outside its scope. Real PostgreSQL, real concurrency.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PullResult } from '../../src/kernel/sync/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { awaitSyncFence } from '../support/sync-fence.ts';

let t: TestPlatform;
let tenantId: string;
let pool: pg.Pool;

beforeAll(async () => {
  t = await startTestPlatform();
  tenantId = (await t.createTenant('sync-race')).id;
  pool = new pg.Pool({ connectionString: t.database.appUrl, max: 8 });
});
afterAll(async () => {
  await pool.end();
  await t.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const territories = ['north', 'south'];

/** One transaction of the runtime role that writes, waits, then commits: the commit order is the test's. */
async function writeThenCommit(work: (client: pg.PoolClient) => Promise<void>, holdMs: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
    await work(client);
    await sleep(holdMs);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

interface Reader {
  cursor?: string;
  /** id -> versions received in the log phase, in order. */
  received: Map<string, number[]>;
  /** id -> last state: version and territory, or deleted. */
  copy: Map<string, { version: number; territory: string }>;
  snapshotDone: boolean;
  duplicates: string[];
  outOfScope: string[];
}

async function pullOnce(reader: Reader, context: { roles: string[]; attributes?: Record<string, unknown>; territory?: string }): Promise<boolean> {
  const page: PullResult = await t.platform.sync.pull({ tenantId, userId: null, roles: context.roles, attributes: context.attributes }, reader.cursor ? { cursor: reader.cursor, limit: 50 } : { limit: 50 });
  const logPhase = reader.snapshotDone;
  for (const record of page.changes.ktWidget?.upserts ?? []) {
    const version = record.version as number;
    if (context.territory && record.territory !== context.territory) reader.outOfScope.push(record.id);
    if (logPhase) {
      const seen = reader.received.get(record.id) ?? [];
      if (seen.includes(version)) reader.duplicates.push(`${record.id}@${version}`);
      reader.received.set(record.id, [...seen, version]);
    }
    const held = reader.copy.get(record.id);
    if (!held || held.version <= version) reader.copy.set(record.id, { version, territory: record.territory as string });
  }
  for (const id of page.changes.ktWidget?.deletes ?? []) reader.copy.delete(id);
  reader.cursor = page.cursor;
  if (!page.hasMore) reader.snapshotDone = true;
  return page.hasMore;
}

describe('sync pull under concurrent out-of-order commits', () => {
  it('misses and duplicates no change over many rounds, for an unscoped and a scoped reader', async () => {
    const everyone: Reader = { received: new Map(), copy: new Map(), snapshotDone: false, duplicates: [], outOfScope: [] };
    const north: Reader = { received: new Map(), copy: new Map(), snapshotDone: false, duplicates: [], outOfScope: [] };
    const ids: string[] = [];
    let stop = false;
    const pullers = [
      (async () => {
        while (!stop) if (!(await pullOnce(everyone, { roles: ['owner'] }))) await sleep(2);
      })(),
      (async () => {
        while (!stop) if (!(await pullOnce(north, { roles: ['manager'], attributes: { territories: ['north'] }, territory: 'north' }))) await sleep(3);
      })(),
    ];
    const rounds = 25;
    for (let round = 0; round < rounds; round++) {
      const writers: Promise<void>[] = [];
      for (let writer = 0; writer < 6; writer++) {
        // The first writers hold their transaction longest: they began first and commit last.
        const hold = (6 - writer) * 4 + Math.floor(Math.random() * 4);
        writers.push(
          writeThenCommit(async (client) => {
            const creates = ids.length < 20 || Math.random() < 0.4;
            if (creates) {
              const id = randomUUID();
              ids.push(id);
              await client.query(`insert into kt_widgets (tenant_id, id, code, name, territory) values ($1, $2, $3, 'race', $4)`, [tenantId, id, `R-${id.slice(0, 8)}`, territories[Math.floor(Math.random() * 2)]]);
            } else {
              // Row locks serialise writers of the same row; different rows commit in any order.
              const id = ids[Math.floor(Math.random() * ids.length)]!;
              const moves = Math.random() < 0.3;
              await client.query(
                `update kt_widgets set version = version + 1, name = $3, territory = case when $4 then (case territory when 'north' then 'south' else 'north' end) else territory end where tenant_id = $1 and id = $2`,
                [tenantId, id, `r${round}`, moves],
              );
            }
          }, hold),
        );
      }
      await Promise.all(writers);
    }
    // Stop the concurrent pullers (one reader is never pulled by two loops at once: that would be two
    // devices sharing a cursor), then let each reader catch up once the fence has passed every write.
    stop = true;
    await Promise.all(pullers);
    await awaitSyncFence(t.database.owner.db, tenantId);
    for (const reader of [everyone, north]) while (await pullOnce(reader, reader === everyone ? { roles: ['owner'] } : { roles: ['manager'], attributes: { territories: ['north'] }, territory: 'north' }));

    const rows = await t.database.owner.db.selectFrom('kt_widgets').select(['id', 'version', 'territory']).where('tenant_id', '=', tenantId).execute();
    const truth = new Map(rows.map((row) => [row.id as string, { version: Number(row.version), territory: row.territory as string }]));
    expect(truth.size).toBe(ids.length);
    // Unscoped: the copy is exactly the table.
    expect(new Map([...everyone.copy].sort())).toEqual(new Map([...truth].sort()));
    // Scoped: exactly the north rows, none of the others (moved-out rows removed by tombstones).
    const northTruth = new Map([...truth].filter(([, row]) => row.territory === 'north'));
    expect(new Map([...north.copy].sort())).toEqual(new Map([...northTruth].sort()));
    expect(north.outOfScope).toEqual([]);
    expect(everyone.duplicates).toEqual([]);
    expect(north.duplicates).toEqual([]);
    // Versions only go forward.
    for (const versions of everyone.received.values()) expect(versions).toEqual([...versions].sort((a, b) => a - b));
    // Not vacuous: many log-phase deliveries happened while writers were committing.
    expect([...everyone.received.values()].flat().length).toBeGreaterThan(rounds * 3);
  }, 120_000);
});
