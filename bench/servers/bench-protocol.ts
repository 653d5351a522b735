/**
 * What both bench servers share with the parent (bench/run.ts) over the IPC channel: a `ready`
 * message with the port, `stats` on request (pg queries sent so far = round trips, memory), and a
 * clean `stop`. A server exits as soon as its parent goes away, so a killed bench leaves nothing.
 * Importing this module also counts every pg Client#query call (both servers pay the same increment).
 */
import pg from 'pg';

export interface ServerStats {
  type: 'stats';
  queries: number;
  rssBytes: number;
  heapUsedBytes: number;
}

let queries = 0;
const clientPrototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const originalQuery = clientPrototype.query;
clientPrototype.query = function countedQuery(this: unknown, ...args: unknown[]) {
  queries += 1;
  return originalQuery.apply(this, args);
};

/** pg queries sent by this process so far (round trips). */
export const queriesSent = (): number => queries;

/** Announces readiness and answers the parent's stats/stop messages. */
export function serveBenchProtocol(port: number, stop: () => Promise<void>): void {
  const send = (message: object) => process.send?.(message);
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stats') {
      const memory = process.memoryUsage();
      send({ type: 'stats', queries, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed } satisfies ServerStats);
    } else if (message?.type === 'stop') {
      void stop().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port });
}

/** A required environment variable of a bench server. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (bench servers are started by bench/run.ts)`);
  return value;
}
