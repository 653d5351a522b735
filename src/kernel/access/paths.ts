import { fileURLToPath } from 'node:url';

export const accessMigrations = fileURLToPath(new URL('./migrations', import.meta.url));
