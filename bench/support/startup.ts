/**
 * Start-to-ready of the real entry point: `node <src/cli/node-flags.ts> bin/server.mjs` (what
 * `npm start` runs, without npm; the built server, built before the first start) on an embedded data directory of its own. The first
 * start initialises the cluster, migrates and seeds the demo tenant; the timed starts that follow
 * find everything in place, as a developer's second `npm start` does. Ready = first 200 from
 * /readyz; the 'tenantry ready' log line is recorded too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFlags } from '../../src/cli/node-flags.ts';
import { freePort, repoRoot, stopChild, stopPostmaster, track } from './processes.ts';

export interface StartupRun {
  /** Spawn to the 'tenantry ready' log line. */
  logReadyMs: number;
  /** Spawn to the first 200 from /readyz. */
  readyzMs: number;
  /** startupMs the process itself logs (from main() entry, excludes module loading). */
  selfReportedMs?: number;
}

export interface StartupResult {
  first: StartupRun;
  runs: StartupRun[];
  viaNpmStart?: StartupRun[];
}

interface StartOptions {
  dataDir: string;
  pgPort: number;
  command: string[];
}

const deadlineMs = 120_000;

async function startOnce(options: StartOptions): Promise<StartupRun> {
  const started = performance.now();
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: options.dataDir,
    EMBEDDED_PG_PORT: String(options.pgPort),
    SHUTDOWN_GRACE_MS: '3000',
    TENANT_DEV_HEADER: 'false',
    SEED_DEMO: 'true',
  };
  for (const name of ['DATABASE_URL', 'DATABASE_APP_URL', 'DATABASE_APP_PASSWORD', 'PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE']) delete env[name];
  // Own process group, so npm's launcher chain can be stopped as a whole.
  const child = track(spawn(options.command[0]!, options.command.slice(1), { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  let output = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const ready = await new Promise<{ logReadyMs: number; url: string; selfReportedMs?: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`src/main.ts not ready after ${deadlineMs / 1000} s\n${output}\n${stderr}`)), deadlineMs);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const complete = output.slice(0, output.lastIndexOf('\n') + 1); // a chunk can end mid-line
        for (const line of complete.split('\n')) {
          if (!line.includes('"tenantry ready"')) continue;
          const entry = JSON.parse(line) as { url: string; startupMs?: number };
          clearTimeout(timer);
          resolve({ logReadyMs: performance.now() - started, url: entry.url, ...(entry.startupMs === undefined ? {} : { selfReportedMs: entry.startupMs }) });
          return;
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`src/main.ts exited (${signal ?? code}) before it was ready\n${output}\n${stderr}`));
      });
    });
    const readyzMs = await firstReady(`${ready.url}/readyz`, started);
    return { logReadyMs: ready.logReadyMs, readyzMs, ...(ready.selfReportedMs === undefined ? {} : { selfReportedMs: ready.selfReportedMs }) };
  } finally {
    await stopMain(child, join(options.dataDir, 'pg'));
  }
}

async function firstReady(url: string, started: number): Promise<number> {
  for (;;) {
    const response = await fetch(url).catch(() => undefined);
    if (response?.status === 200) return performance.now() - started;
    await response?.body?.cancel();
    if (performance.now() - started > deadlineMs) throw new Error(`${url} never answered 200`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** SIGTERM to the group (graceful: closeWithGrace stops the embedded PostgreSQL), then make sure. */
async function stopMain(child: ChildProcess, clusterDir: string): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* already gone */
    }
  };
  await stopChild(child, () => signalGroup('SIGTERM'), 15_000);
  signalGroup('SIGKILL');
  await stopPostmaster(clusterDir);
}

export async function measureStartup(runs: number, npmRuns: number, onDataDir: (dir: string) => void, beforeEach: () => Promise<unknown> = async () => {}): Promise<StartupResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantry-bench-start-'));
  onDataDir(dataDir);
  const base = { dataDir, pgPort: await freePort() };
  // What `npm start` runs, without npm.
  const direct = [process.execPath, ...nodeFlags, 'bin/server.mjs'];
  const first = await startOnce({ ...base, command: direct });
  const timed: StartupRun[] = [];
  for (let run = 0; run < runs; run += 1) {
    await beforeEach();
    timed.push(await startOnce({ ...base, command: direct }));
  }
  const viaNpm: StartupRun[] = [];
  for (let run = 0; run < npmRuns; run += 1) {
    await beforeEach();
    viaNpm.push(await startOnce({ ...base, command: ['npm', 'start', '--silent'] }));
  }
  return { first, runs: timed, ...(npmRuns > 0 ? { viaNpmStart: viaNpm } : {}) };
}
