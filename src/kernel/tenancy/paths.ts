import { fileURLToPath } from 'node:url';

export const tenancyMigrations = fileURLToPath(new URL('./migrations', import.meta.url));
