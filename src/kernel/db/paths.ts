import { fileURLToPath } from 'node:url';

/** This module's own migrations (the tenant-context functions every policy uses). */
export const kernelDbMigrations = fileURLToPath(new URL('./migrations', import.meta.url));
