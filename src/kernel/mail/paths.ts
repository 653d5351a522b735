import { fileURLToPath } from 'node:url';

/** This module's migrations (the outbox). */
export const mailMigrations = fileURLToPath(new URL('./migrations', import.meta.url));
/** The MJML layout every template is built on. */
export const mailLayoutFile = fileURLToPath(new URL('./templates/layout.mjml', import.meta.url));
