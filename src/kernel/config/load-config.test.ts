import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/index.ts';
import { loadConfig, redactConfig } from './index.ts';

function errorOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('runs locally with no setup: every setting has a default', () => {
    const config = loadConfig({ env: {}, envFile: false });
    expect(config).toMatchObject({ NODE_ENV: 'development', PORT: 3000, TENANT_DEV_HEADER: false, DATA_DIR: './.data' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('converts strings from the environment to the declared types', () => {
    const config = loadConfig({ env: { PORT: '8080', TENANT_DEV_HEADER: 'true', DATABASE_POOL_MAX: '25' }, envFile: false });
    expect(config).toMatchObject({ PORT: 8080, TENANT_DEV_HEADER: true, DATABASE_POOL_MAX: 25 });
  });

  it('reports every bad variable at once, with what was expected', () => {
    const error = errorOf(() => loadConfig({ env: { PORT: 'eighty', NODE_ENV: 'prod', LOG_LEVEL: 'loud', DATABASE_POOL_MAX: '0' }, envFile: false }));
    expect(error.code).toBe('config.invalid');
    expect(error.errors?.map((entry) => entry.parameter).sort()).toEqual(['DATABASE_POOL_MAX', 'LOG_LEVEL', 'NODE_ENV', 'PORT']);
    expect(error.message).toMatch(/NODE_ENV: .*expected one of development, test, production/);
  });

  it('never shows a secret value, even when it is invalid', () => {
    const error = errorOf(() => loadConfig({ env: { DATABASE_URL: 'mysql://root:hunter2@db/x' }, envFile: false }));
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain('hunter2');
    const config = loadConfig({ env: { DATABASE_URL: 'postgres://owner:hunter2@db/x' }, envFile: false });
    expect(JSON.stringify(redactConfig(config))).not.toContain('hunter2');
  });

  it('keeps everything in memory without REDIS_URL, accepts redis:// and rediss://, and never shows its password', () => {
    expect(loadConfig({ env: { REDIS_URL: '' }, envFile: false }).REDIS_URL).toBeUndefined();
    const config = loadConfig({ env: { REDIS_URL: 'rediss://:hunter2@cache.internal:6380/1' }, envFile: false });
    expect(config.REDIS_URL).toBe('rediss://:hunter2@cache.internal:6380/1');
    expect(JSON.stringify(redactConfig(config))).not.toContain('hunter2');
    const error = errorOf(() => loadConfig({ env: { REDIS_URL: 'http://:hunter2@cache.internal' }, envFile: false }));
    expect(error.errors?.map((entry) => entry.parameter)).toEqual(['REDIS_URL']);
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses the development tenant header, the embedded database, the default runtime password and the default token secret in production', () => {
    const error = errorOf(() => loadConfig({ env: { NODE_ENV: 'production', TENANT_DEV_HEADER: 'true' }, envFile: false }));
    expect(error.errors?.map((entry) => entry.parameter).sort()).toEqual(['DATABASE_APP_PASSWORD', 'DATABASE_URL', 'TENANT_DEV_HEADER', 'TOKEN_SECRET']);
  });

  it('reads an optional .env file, which never overrides the real environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenantry-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'PORT=4000\nLOG_LEVEL=debug\n');
    expect(loadConfig({ env: { LOG_LEVEL: 'warn' }, envFile: file })).toMatchObject({ PORT: 4000, LOG_LEVEL: 'warn' });
    expect(loadConfig({ env: {}, envFile: join(dir, 'missing.env') }).PORT).toBe(3000);
  });
});
