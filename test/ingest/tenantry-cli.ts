/**
 * The real `tenantry` command in a child process (`node <src/cli/node-flags.ts> bin/tenantry.mjs`, as
 * `npm run tenantry` runs it: the built command, rebuilt first if a source changed) against a test database: configured by the environment only, as an
 * operator would (DATABASE_URL of the owner; the runtime role, RLS on, for everything it loads).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nodeFlags } from '../../src/cli/node-flags.ts';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CliTarget {
  /** Owner URL of the database (migrations); the CLI connects as tenantry_app for the work itself. */
  readonly ownerUrl: string;
  readonly appPassword: string;
  /** Rows per chunk (INGEST_CHUNK_ROWS); the CLI's default when unset. */
  readonly chunkRows?: number;
}

export interface CliProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnCli(target: CliTarget, args: readonly string[]): CliProcess {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_URL: target.ownerUrl,
    DATABASE_APP_PASSWORD: target.appPassword,
    LOG_LEVEL: 'warn',
    ...(target.chunkRows ? { INGEST_CHUNK_ROWS: String(target.chunkRows) } : {}),
  };
  const child = spawn(process.execPath, [...nodeFlags, 'bin/tenantry.mjs', ...args], { cwd: repositoryRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

/** Runs a command to its end; throws with its output unless it exits 0. */
export async function runCli(target: CliTarget, args: readonly string[]): Promise<string> {
  const running = spawnCli(target, args);
  const { code, signal } = await running.exited;
  if (code !== 0) throw new Error(`tenantry ${args.join(' ')} exited with ${code ?? signal}:\n${running.output()}`);
  return running.output();
}
