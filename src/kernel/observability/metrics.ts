/**
 * Prometheus metrics on a registry of our own (not the global one, so several apps can live in one
 * test process): request rate and errors by route and status, a latency histogram per route,
 * problem codes, database pool usage, and the default process metrics.
 */
import client from 'prom-client';

export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export interface Metrics {
  readonly registry: client.Registry;
  observeRequest(labels: { method: string; route: string; status: number }, seconds: number): void;
  countProblem(code: string): void;
}

export function createMetrics(pools: Record<string, PoolStats>): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const problems = new client.Counter({
    name: 'http_problems_total',
    help: 'Problem responses by stable error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  new client.Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by pool and state',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      for (const [pool, stats] of Object.entries(pools)) {
        this.set({ pool, state: 'total' }, stats.totalCount);
        this.set({ pool, state: 'idle' }, stats.idleCount);
        this.set({ pool, state: 'waiting' }, stats.waitingCount);
      }
    },
  });
  // Labelled children cached per (method, route, status): prom-client hashes labels on every lookup.
  const children = new Map<string, { count: client.Counter.Internal; time: client.Histogram.Internal<'method' | 'route' | 'status'> }>();
  return {
    registry,
    observeRequest(labels, seconds) {
      const key = `${labels.method} ${labels.route} ${labels.status}`;
      let child = children.get(key);
      if (!child) {
        const values = { method: labels.method, route: labels.route, status: String(labels.status) };
        child = { count: requests.labels(values), time: duration.labels(values) };
        children.set(key, child);
      }
      child.count.inc();
      child.time.observe(seconds);
    },
    countProblem: (code) => problems.inc({ code }),
  };
}
