export { EnvSchema } from './config.schema.ts';
export type { Config } from './config.schema.ts';
export { isSecret, loadConfig, redactConfig } from './load-config.ts';
export type { LoadConfigOptions } from './load-config.ts';
