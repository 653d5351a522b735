/**
 * `npm start` as a user runs it: the real entry point in a child process, over real HTTP, on its
 * own embedded PostgreSQL data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFlags } from '../../src/cli/node-flags.ts';
import { makeTempDir } from '../support/temp-dir.ts';

const dataDir = makeTempDir('e2e-');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function start(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [...nodeFlags, 'bin/server.mjs'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, LOG_LEVEL: 'info', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 45_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, output: () => output, exited };
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });

describe('npm start', () => {
  it('starts on an embedded PostgreSQL, seeds the demo tenant once, serves it, and shuts down gracefully', async () => {
    const [port, pgPort] = [await freePort(), await freePort()];
    const env = { PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), TENANT_DEV_HEADER: 'true' };
    const base = `http://127.0.0.1:${port}`;

    const first = await start(env);
    expect(first.output()).toContain(`Tenantry is running at http://127.0.0.1:${port}`);
    expect(first.output()).toContain('/docs');
    expect(first.output()).toContain('demo tenant seeded');
    const page = await fetch(`${base}/v1/products?limit=5&includeTotal=true`, { headers: { 'x-tenant': 'demo' } });
    expect(page.status).toBe(200);
    const body = (await page.json()) as { data: unknown[]; total: number };
    expect(body.data).toHaveLength(5);
    const total = body.total;
    expect(total).toBeGreaterThan(100);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // The demo owner printed in the banner logs in for real, and the token reads the same data.
    const printed = /Demo owner: (\S+) \/ (\S+)/.exec(first.output());
    expect(printed).not.toBeNull();
    const login = await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: printed![1], password: printed![2], tenant: 'demo' }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const withToken = await fetch(`${base}/v1/products?limit=1&includeTotal=true`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(((await withToken.json()) as { total: number }).total).toBe(total);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('stopped');
    expect(await portOpen(pgPort)).toBe(false); // the embedded server stopped with us

    const second = await start(env);
    expect(second.output()).not.toContain('demo tenant seeded');
    expect(second.output()).not.toContain('migrations applied');
    expect(second.output()).toContain(`Demo owner: ${printed![1]} / ${printed![2]}`);
    const again = (await (await fetch(`${base}/v1/products?limit=1&includeTotal=true`, { headers: { 'x-tenant': 'demo' } })).json()) as { total: number };
    expect(again.total).toBe(total);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);

  it('refuses to start with an invalid configuration and says what is wrong', async () => {
    const child = spawn(process.execPath, [...nodeFlags, 'bin/server.mjs'], {
      env: { PATH: process.env.PATH, PORT: 'not-a-port', NODE_ENV: 'production', TENANT_DEV_HEADER: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr!.on('data', (chunk) => (output += chunk));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
    expect(output).toMatch(/PORT: must be integer/);
    expect(output).toMatch(/TENANT_DEV_HEADER: must be false in production/);
    expect(output).toMatch(/DATABASE_URL: required in production/);
  });

  it('makes the CLI exit 0 on success and non-zero when a command fails (the exit code survives the embedded server)', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) };
    const cli = async (...args: string[]) => {
      const child = spawn(process.execPath, [...nodeFlags, 'bin/tenantry.mjs', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      const code = await new Promise((resolve) => child.on('exit', resolve));
      return { code, output };
    };
    const migrate = await cli('db', 'migrate');
    expect(migrate.code, migrate.output).toBe(0);
    const failed = await cli('tenant', 'suspend', 'no-such-tenant');
    expect(failed.output).toContain('Tenant not found');
    expect(failed.code).toBe(1);
    // Deleting a tenant takes its ingestion files (uploads, batches) with its rows.
    const created = await cli('tenant', 'create', '--slug', 'leaving', '--name', 'Leaving');
    expect(created.code, created.output).toBe(0);
    const id = /\(([0-9a-f-]{36})\)/.exec(created.output)![1]!;
    const files = join(dataDir, 'ingest', id);
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, 'kna1.upload'), 'KUNNR\n1\n');
    const deleted = await cli('tenant', 'delete', 'leaving', '--yes');
    expect(deleted.code, deleted.output).toBe(0);
    expect(existsSync(files)).toBe(false);
  }, 60_000);
});
