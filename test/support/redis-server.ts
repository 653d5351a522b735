/**
 * A throw-away redis-server for tests: loopback only, no persistence, on a free port. Found through
 * REDIS_SERVER_BIN or PATH (Debian/Ubuntu: apt-get install redis-server).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.ts';
import { makeTempDir } from './temp-dir.ts';

export const redisInstallHint = 'set REDIS_SERVER_BIN or put redis-server on PATH (Debian/Ubuntu: apt-get install redis-server)';

export interface TestRedisServer {
  url: string;
  version: string;
  stop(): Promise<void>;
}

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The redis-server binary, or undefined when there is none. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.REDIS_SERVER_BIN) {
    if (!isExecutable(env.REDIS_SERVER_BIN)) throw new Error(`REDIS_SERVER_BIN=${env.REDIS_SERVER_BIN} is not an executable file`);
    return env.REDIS_SERVER_BIN;
  }
  return (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'redis-server')).find(isExecutable);
}

/** Starts a server (on `port`: a restart) and resolves once it accepts connections (or rejects with its output). */
export async function startRedisServer(bin: string, options: { port?: number } = {}): Promise<TestRedisServer> {
  const port = options.port ?? (await freePort());
  const dir = makeTempDir('redis-');
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start within 10 s'), 10_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`redis-server (${bin}) ${why}:\n${output}`));
    };
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => fail(`exited with ${code}`));
    child.once('error', (error) => fail(error.message));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    version: /\b(?:v|version)=([\d.]+)/.exec(output)?.[1] ?? 'unknown',
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
