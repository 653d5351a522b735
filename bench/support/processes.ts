/**
 * Child processes of the bench and what /proc says about them. Every child is tracked so that an
 * error, Ctrl-C or SIGTERM of the bench ends them all (see cleanUpOnExit in run.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import { bundle } from '../../bin/build.mjs';
import type { ServerStats } from '../servers/bench-protocol.ts';

export const repoRoot = new URL('../../', import.meta.url).pathname;

let bundled: Promise<unknown> | undefined;
/**
 * A bench server script (bench/servers/*.ts) as a bundle in dist/bench/, built once a bench run the
 * way bin/build.mjs builds the server, so the bench measures the platform as `npm start` runs it:
 * plain Node.js, no loader (its memory and start-up included).
 */
async function bundledScript(script: string): Promise<string> {
  const names = ['platform-server', 'floor-server', 'ingest-runner'];
  bundled ??= bundle(Object.fromEntries(names.map((name) => [name, join(repoRoot, 'bench', 'servers', `${name}.ts`)])), join(repoRoot, 'dist', 'bench'));
  await bundled;
  const name = basename(script, '.ts');
  if (!names.includes(name)) throw new Error(`${script} is not a bench server`);
  return join(repoRoot, 'dist', 'bench', `${name}.js`);
}

/** Node.js arguments that run a bench server script: its bundle, or when profiled its sources through tsx (the profile then names our files). */
export async function scriptArgs(script: string, profiled: boolean): Promise<string[]> {
  return profiled ? ['--import', 'tsx', script] : [await bundledScript(script)];
}
const clockTicks = 100; // USER_HZ on Linux (getconf CLK_TCK)

/** Every child the bench started and has not seen exit yet. */
export const liveChildren = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  child.on('error', () => {}); // e.g. IPC closed while stopping; the exit event tells the rest
  return child;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface BenchServer {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly startMs: number;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

export interface ServerSpawnOptions {
  name: string;
  script: string;
  env: Record<string, string>;
  nodeArgs?: string[];
}

/** Starts a bench server (its bundle, bundledScript) and waits for its `ready` message. */
export async function startBenchServer(options: ServerSpawnOptions): Promise<BenchServer> {
  const nodeArgs = options.nodeArgs ?? [];
  const script = await scriptArgs(options.script, nodeArgs.includes('--cpu-prof'));
  const started = performance.now();
  const child = track(
    spawn(process.execPath, [...nodeArgs, ...script], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    }),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-20_000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} server not ready after 60 s\n${stderr}`)), 60_000);
    child.on('message', (message: { type?: string; port?: number }) => {
      if (message.type === 'ready' && message.port) {
        clearTimeout(timer);
        resolve(message.port);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} server exited (${signal ?? code}) before it was ready\n${stderr}`));
    });
  });
  const startMs = performance.now() - started;
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${options.name}] ${chunk.toString()}`));
  if (stderr.trim()) process.stderr.write(`[${options.name}] ${stderr}`);
  return {
    name: options.name,
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    startMs,
    stats: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${options.name} did not answer stats`)), 5_000);
        const onMessage = (message: ServerStats) => {
          if (message.type !== 'stats') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message);
        };
        child.on('message', onMessage);
        if (!child.connected) reject(new Error(`${options.name} server is gone`));
        else child.send({ type: 'stats' });
      }),
    stop: () => stopChild(child, () => child.send({ type: 'stop' })),
  };
}

/** Asks a child to stop (or SIGTERM), then SIGKILLs it after the grace period. */
export async function stopChild(child: ChildProcess, ask: () => void = () => child.kill('SIGTERM'), graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    ask();
  } catch {
    child.kill('SIGTERM');
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A memory figure of /proc/<pid>/status in bytes: VmRSS (resident now) or VmHWM (peak resident). */
export function readMemoryBytes(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} for pid ${pid}`);
  return Number(match[1]) * 1024;
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' '); // [0] is field 3 (state)
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

/** User + system CPU time of a process in milliseconds (/proc/<pid>/stat); with reaped children's time if asked. */
export function readCpuMs(pid: number, withReapedChildren = false): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  const ticks = Number(fields[11]) + Number(fields[12]) + (withReapedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return (ticks * 1000) / clockTicks;
}

function parentOf(pid: string): number {
  return Number(statFields(Number(pid))?.[1] ?? -1);
}

/** The postmaster of a cluster (first line of postmaster.pid), if it runs. */
export function postmasterPid(clusterDir: string): number | undefined {
  const file = join(clusterDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && isAlive(pid) ? pid : undefined;
}

/**
 * CPU time of a cluster in milliseconds: the postmaster, its live children (backends, walwriter,
 * autovacuum workers) and the children it has reaped (cutime/cstime), so a backend or worker
 * that exits between two readings moves its time from one term to the other instead of vanishing.
 */
export function readClusterCpuMs(postmaster: number): number {
  let total = readCpuMs(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && parentOf(entry) === postmaster) total += readCpuMs(Number(entry));
  }
  return total;
}

/**
 * Jiffies of the whole machine (/proc/stat "cpu" line): busy (user, nice, system, irq, softirq),
 * steal (time the hypervisor gave to someone else) and total, to show saturation and noise.
 * guest/guest_nice are already part of user/nice and are not added again.
 */
export function readMachineCpu(): { busy: number; steal: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq;
  return { busy, steal, total: busy + idle + iowait + steal };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a cluster left running by a process that died without stopping it. */
export async function stopPostmaster(clusterDir: string): Promise<void> {
  const pid = postmasterPid(clusterDir);
  if (pid === undefined) return;
  process.kill(pid, 'SIGINT'); // fast shutdown
  for (let waited = 0; waited < 10_000 && isAlive(pid); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Waits (at most maxWaitMs) until the machine is quiet: less than `threshold` of all CPUs busy over
 * half a second while the bench itself is idle. Other work on a shared machine skews a round more
 * than anything measured here. Returns how long it waited.
 */
export async function waitForQuietMachine(maxWaitMs: number, threshold = 0.15): Promise<number> {
  const started = performance.now();
  for (;;) {
    const before = readMachineCpu();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = readMachineCpu();
    const busy = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    const waited = performance.now() - started;
    if (busy < threshold || waited >= maxWaitMs) return waited;
  }
}
