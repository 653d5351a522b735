/** The offline sync client: the public surface (terms in sync-client.contract.ts; protocol in docs/sync-protocol.md). */
export { SyncClient } from './sync-client.ts';
export { createFetchTransport, type FetchTransportOptions } from './fetch-transport.ts';
export { createMemoryStore, type MemoryStore } from './memory-store.ts';
export { SyncClientError } from './sync-client.errors.ts';
export type * from './sync-client.contract.ts';
