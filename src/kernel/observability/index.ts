export { createLogger, redactedPaths } from './logger.ts';
export type { Logger, LoggerOptions } from './logger.ts';
export { createMetrics } from './metrics.ts';
export type { Metrics, PoolStats } from './metrics.ts';
