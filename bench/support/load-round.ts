/**
 * One load round: autocannon against one server for a fixed time, with the CPU each party spent
 * (server process, the whole PostgreSQL cluster, the load generator) and the pg round trips the
 * server sent, all per request, so two servers can be compared by cost and not only by rate.
 */
import autocannon from 'autocannon';
import { readClusterCpuMs, readCpuMs, readMachineCpu, type BenchServer } from './processes.ts';

/** 'platform' (X-Tenant development header) and 'floor' in the list scenario; 'bearer-owner', 'bearer-member', 'login' in the auth part. */
export type TargetName = string;

export interface LoadTarget {
  name: TargetName;
  server: BenchServer;
  /** Headers of this target (e.g. a fresh bearer token), asked before every round; replaces the x-tenant header when it names one. */
  headers?: () => Promise<Record<string, string>>;
  /** POST with this JSON body instead of GET (login). */
  body?: string;
  /** Overrides LoadSettings.path. */
  path?: string;
  /** Overrides LoadSettings.connections. */
  connections?: number;
}

export interface LoadSettings {
  path: string;
  tenantSlug: string;
  /** Extra request headers, e.g. accept-encoding (the platform compresses, the floor does not). */
  headers?: Record<string, string>;
  connections: number;
  postmaster: number;
}

export interface RoundResult {
  target: TargetName;
  /** The server process that answered (several targets can share one: dev header and bearer on the platform). */
  server: string;
  phase: 'warmup' | 'measure';
  round: number;
  requests: number;
  rps: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyAvgMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU milliseconds per 1000 requests. */
  serverCpuPerKReq: number;
  postgresCpuPerKReq: number;
  loaderCpuPerKReq: number;
  /** Share of both CPUs busy during the round (0..1). */
  machineBusy: number;
  /** Share of both CPUs used by processes outside the bench (other work on the machine skews a round). */
  foreignBusy: number;
  /** Share of both CPUs the hypervisor gave to other guests (steal). */
  steal: number;
  /** pg Client#query calls per request (= round trips; the BEGIN+set_config query is one). */
  queriesPerRequest: number;
}

export async function runRound(target: LoadTarget, settings: LoadSettings, seconds: number, phase: RoundResult['phase'], round: number): Promise<RoundResult> {
  const before = {
    stats: await target.server.stats(),
    server: readCpuMs(target.server.pid),
    postgres: readClusterCpuMs(settings.postmaster),
    loader: process.cpuUsage(),
    machine: readMachineCpu(),
  };
  const own = target.headers ? await target.headers() : undefined;
  const headers: Record<string, string> = { ...settings.headers, ...(own ?? { 'x-tenant': settings.tenantSlug }) };
  if (target.body !== undefined) headers['content-type'] = 'application/json';
  const result = await autocannon({
    url: `${target.server.url}${target.path ?? settings.path}`,
    connections: target.connections ?? settings.connections,
    duration: seconds,
    headers,
    ...(target.body === undefined ? {} : { method: 'POST', body: target.body }),
    timeout: 10,
  });
  const loader = process.cpuUsage(before.loader);
  const machine = readMachineCpu();
  const stats = await target.server.stats();
  const requests = result.latency.totalCount;
  const perK = (ms: number) => (requests > 0 ? (ms * 1000) / requests : Number.NaN);
  const spent = {
    server: readCpuMs(target.server.pid) - before.server,
    postgres: readClusterCpuMs(settings.postmaster) - before.postgres,
    loader: (loader.user + loader.system) / 1000,
  };
  const capacityMs = Math.max(1, machine.total - before.machine.total) * 10; // jiffies of all CPUs -> ms
  const busyMs = (machine.busy - before.machine.busy) * 10;
  return {
    target: target.name,
    server: target.server.name,
    phase,
    round,
    requests,
    rps: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyAvgMs: result.latency.average,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpuPerKReq: perK(spent.server),
    postgresCpuPerKReq: perK(spent.postgres),
    loaderCpuPerKReq: perK(spent.loader),
    machineBusy: busyMs / capacityMs,
    foreignBusy: Math.max(0, busyMs - spent.server - spent.postgres - spent.loader) / capacityMs,
    steal: ((machine.steal - before.machine.steal) * 10) / capacityMs,
    queriesPerRequest: requests > 0 ? (stats.queries - before.stats.queries) / requests : Number.NaN,
  };
}
