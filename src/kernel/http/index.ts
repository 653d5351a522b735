export { buildHttpApp } from './app.ts';
export type { BearerAuthenticator, HealthProbe, HttpDependencies, Principal, RouteRegistrar } from './http.contract.ts';
export { createIdempotencyStore, fingerprintRequest } from './idempotency.ts';
export type { IdempotencyStore } from './idempotency.ts';
export { problemContentType, problemResponses, statusOfKind, toProblem } from './problem.ts';
export type { Problem } from './problem.ts';
export { httpMigrations } from './paths.ts';
export type { RateLimitCounter, RateLimitStore } from './rate-limit-store.ts';
export type { RouteRateLimits } from './rate-limits.ts';
