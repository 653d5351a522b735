/**
 * A LocalStore in memory: for tests, and for apps that keep nothing between runs. Transactions run one
 * at a time; a transaction that throws is undone (an undo log, so a commit costs nothing).
 */
import type { LocalStore, LocalTransaction, QueuedMutation, StoredRecord, SyncState } from './sync-client.contract.ts';

export interface MemoryStore extends LocalStore {
  /** A copy of everything stored, for tests and debugging. */
  dump(): { state: SyncState | undefined; records: Record<string, Record<string, StoredRecord>>; queue: QueuedMutation[] };
}

/** A new, empty in-memory store. */
export function createMemoryStore(): MemoryStore {
  let state: SyncState | undefined;
  const records = new Map<string, Map<string, StoredRecord>>();
  const queue = new Map<number, QueuedMutation>();
  let turn: Promise<unknown> = Promise.resolve();

  const tableOf = (entity: string) => {
    let table = records.get(entity);
    if (!table) records.set(entity, (table = new Map()));
    return table;
  };
  // Stored values are copied in and out, so a caller never holds the store's own objects. They are
  // JSON by the protocol; JSON also copies where structuredClone is missing (older React Native).
  const copy = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

  const open = (undo: (() => void)[]): LocalTransaction => ({
    readState: async () => copy(state),
    async writeState(next) {
      const before = state;
      state = copy(next);
      undo.push(() => (state = before));
    },
    getRecord: async (entity, id) => copy(records.get(entity)?.get(id)),
    async putRecord(entity, id, record) {
      const table = tableOf(entity);
      const before = table.get(id);
      if (record.server === null && record.view === null) table.delete(id);
      else table.set(id, copy(record));
      undo.push(() => (before ? table.set(id, before) : table.delete(id)));
    },
    listRecords: async (entity) => [...(records.get(entity)?.values() ?? [])].map(copy),
    async clearRecords() {
      const before = new Map(records);
      records.clear();
      undo.push(() => {
        records.clear();
        for (const [entity, table] of before) records.set(entity, table);
      });
    },
    listMutations: async () => [...queue.values()].sort((a, b) => a.id - b.id).map(copy),
    async putMutation(mutation) {
      const before = queue.get(mutation.id);
      queue.set(mutation.id, copy(mutation));
      undo.push(() => (before ? queue.set(mutation.id, before) : queue.delete(mutation.id)));
    },
    async deleteMutations(ids) {
      for (const id of ids) {
        const before = queue.get(id);
        if (!before) continue;
        queue.delete(id);
        undo.push(() => queue.set(id, before));
      }
    },
  });

  return {
    transaction<T>(work: (tx: LocalTransaction) => Promise<T>): Promise<T> {
      const run = turn.then(async () => {
        const undo: (() => void)[] = [];
        try {
          return await work(open(undo));
        } catch (error) {
          for (const step of undo.reverse()) step();
          throw error;
        }
      });
      turn = run.catch(() => undefined);
      return run;
    },
    dump: () => ({
      state: copy(state),
      records: Object.fromEntries([...records].filter(([, table]) => table.size > 0).map(([entity, table]) => [entity, Object.fromEntries([...table].map(([id, record]) => [id, copy(record)]))])),
      queue: [...queue.values()].sort((a, b) => a.id - b.id).map(copy),
    }),
  };
}
