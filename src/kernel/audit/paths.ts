import { fileURLToPath } from 'node:url';

export const auditMigrations = fileURLToPath(new URL('./migrations', import.meta.url));
