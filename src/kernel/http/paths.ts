import { fileURLToPath } from 'node:url';

export const httpMigrations = fileURLToPath(new URL('./migrations', import.meta.url));
