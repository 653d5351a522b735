/**
 * Temporary folders for tests inside the repository's (git-ignored) .data folder rather than the
 * system temp dir: as root, the embedded PostgreSQL runs as the `postgres` OS user, which may not be
 * able to enter a private TMPDIR.
 */
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const base = fileURLToPath(new URL('../../.data/tmp/', import.meta.url));

export function makeTempDir(prefix: string): string {
  mkdirSync(base, { recursive: true });
  chmodSync(base, 0o755);
  const dir = mkdtempSync(join(base, prefix));
  chmodSync(dir, 0o755);
  return dir;
}
