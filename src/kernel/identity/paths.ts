import { fileURLToPath } from 'node:url';

/** This module's SQL migrations (users, memberships, sessions, refresh tokens). */
export const identityMigrations = fileURLToPath(new URL('./migrations', import.meta.url));
/** The blocklist of common and breached passwords shipped with the project. */
export const commonPasswordsFile = fileURLToPath(new URL('./data/common-passwords-top100k.txt.gz', import.meta.url));
