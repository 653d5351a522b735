import { fileURLToPath } from 'node:url';

/** This module's migrations (the pg-boss schema and the runtime role's grants). */
export const jobsMigrations = fileURLToPath(new URL('./migrations', import.meta.url));
