/**
 * Request rate limits of the API: per client IP (checked before the principal is resolved, so a flood
 * of bad tokens is limited too), then per user or API key, then per tenant, in fixed windows counted
 * by a RateLimitStore. A request must pass every limit of its route; the first refusal answers 429
 * `http.rate_limited` and the later limits do not count it (one user's refused burst does not use up
 * the tenant's quota). Glossary: scope = what a limit is keyed by; policy = the limits of one route.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler, RouteOptions } from 'fastify';
import { AppError } from '../shared/index.ts';
import type { RateLimitCounter, RateLimitStore } from './rate-limit-store.ts';
import type { RateLimitSettings } from './rate-limits.config.ts';

export type RateLimitScope = 'ip' | 'user' | 'tenant';

/**
 * A route's own limits (route config `rateLimits`; `false` exempts the route from every limit). A number
 * replaces that global limit on this route with a counter of the route's own; `false` lifts it here.
 */
export interface RouteRateLimits {
  ip?: number | false;
  user?: number | false;
  tenant?: number | false;
  /** Window of the route's own limits (default RATE_LIMIT_WINDOW_SECONDS). */
  windowSeconds?: number;
}

export interface RateLimitOptions {
  settings: RateLimitSettings;
  store: RateLimitStore;
  /** Routes under these prefixes are never limited (the HTML docs). */
  exemptPrefixes?: readonly string[];
  /** Headers every response carries that a refusal by the client-IP limit would otherwise miss. */
  refusalHeaders?: Readonly<Record<string, string>>;
}

interface Limit {
  scope: RateLimitScope;
  max: number;
  windowMs: number;
  counter: RateLimitCounter;
}

interface RoutePolicy {
  ip: Limit | null;
  user: Limit | null;
  tenant: Limit | null;
}

const policyKey = Symbol('tenantry.rateLimitPolicy');
const ipRemainingKey = Symbol('tenantry.rateLimitIpRemaining');
/** What `ipRemainingKey` holds for a client on RATE_LIMIT_EXEMPT_IPS: no limit applies to it. */
const exemptClient = -1;

interface PolicyCarrier {
  [policyKey]?: RoutePolicy | null;
}
interface ClientState {
  [ipRemainingKey]: number;
}

const scopeLabel = { ip: 'client address', user: 'user', tenant: 'tenant' } as const satisfies Record<RateLimitScope, string>;

export function rateLimitExceeded(scope: RateLimitScope, retryAfterSeconds: number): AppError {
  return new AppError('rate_limited', 'http.rate_limited', 'Too many requests', {
    detail: `Too many requests for this ${scopeLabel[scope]}; retry in ${retryAfterSeconds} s.`,
    extensions: { scope, retryAfter: retryAfterSeconds },
  });
}

/** Installs the limits on `app`; call it before the hook that resolves the principal. */
export function installRateLimits(app: FastifyInstance, options: RateLimitOptions): void {
  const { settings, store } = options;
  if (!settings.RATE_LIMIT_ENABLED) return;
  const windowMs = settings.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const limitOf = (scope: RateLimitScope, max: number, name: string, ms: number): Limit | null =>
    max > 0 ? { scope, max, windowMs: ms, counter: store.counter(name, ms) } : null;
  const globalPolicy: RoutePolicy = {
    ip: limitOf('ip', settings.RATE_LIMIT_IP_MAX, 'ip', windowMs),
    user: limitOf('user', settings.RATE_LIMIT_USER_MAX, 'user', windowMs),
    tenant: limitOf('tenant', settings.RATE_LIMIT_TENANT_MAX, 'tenant', windowMs),
  };
  const exemptIps = new Set(settings.RATE_LIMIT_EXEMPT_IPS.split(',').map((address) => address.trim()).filter(Boolean));
  const exemptPrefixes = options.exemptPrefixes ?? [];
  const refusalHeaders = options.refusalHeaders ?? {};

  const policyOf = (route: RouteOptions): RoutePolicy | null => {
    const own = route.config?.rateLimits;
    if (own === false || exemptPrefixes.some((prefix) => route.url.startsWith(prefix))) return null;
    if (!own) return globalPolicy;
    const ownWindowMs = (own.windowSeconds ?? settings.RATE_LIMIT_WINDOW_SECONDS) * 1000;
    const pick = (scope: RateLimitScope) => {
      const max = own[scope];
      if (max === undefined) return globalPolicy[scope];
      return max === false ? null : limitOf(scope, max, `${String(route.method)} ${route.url} ${scope}`, ownWindowMs);
    };
    return { ip: pick('ip'), user: pick('user'), tenant: pick('tenant') };
  };

  app.decorateRequest(ipRemainingKey, Number.POSITIVE_INFINITY);
  // Policies are resolved once per route; at request time a route's policy is a property read.
  app.addHook('onRoute', (route) => {
    const policy = policyOf(route);
    route.config = { ...route.config, [policyKey]: policy } as typeof route.config;
    if (policy && route.config?.tenant && (policy.user || policy.tenant)) route.onRequest = appendHook(route.onRequest, principalLimiter(policy));
  });

  app.addHook('onRequest', (request, reply, done) => {
    const carried = (request.routeOptions.config as PolicyCarrier)[policyKey];
    const policy = carried === undefined ? globalPolicy : carried; // undefined: the not-found handler
    if (!policy) return done();
    const ip = request.ip;
    if (exemptIps.has(ip)) {
      (request as unknown as ClientState)[ipRemainingKey] = exemptClient;
      return done();
    }
    const limit = policy.ip;
    if (!limit) return done();
    const check: ClientCheck = { limit, now: Date.now(), refusalHeaders };
    const hits = limit.counter.increment(ip.includes(':') ? ipv6Prefix(ip) : ip, windowStartOf(limit, check.now));
    if (typeof hits === 'number') return done(judgeClient(request, reply, check, hits));
    hits.then(
      (counted) => done(judgeClient(request, reply, check, counted)),
      (error: unknown) => admitOnStoreFailure(request, error, done),
    );
  });
}

interface ClientCheck {
  limit: Limit;
  now: number;
  refusalHeaders: Readonly<Record<string, string>>;
}

function judgeClient(request: FastifyRequest, reply: FastifyReply, check: ClientCheck, hits: number): AppError | undefined {
  const { limit, now } = check;
  if (hits > limit.max) return refuse(reply.headers(check.refusalHeaders), limit, now);
  (request as unknown as ClientState)[ipRemainingKey] = limit.max - hits;
  setLimitHeaders(reply, limit, limit.max - hits, now);
  return undefined;
}

/**
 * The user and tenant limits of a tenant route, run after the principal is resolved. The synchronous
 * path creates no closures: under tsx each one costs a defineProperty (measured: more than the counting).
 */
function principalLimiter(policy: RoutePolicy): onRequestHookHandler {
  return (request, reply, done) => {
    const principal = request.principal;
    const ipRemaining = (request as unknown as ClientState)[ipRemainingKey];
    if (!principal || ipRemaining === exemptClient) return done();
    const userKey = principal.userId ?? principal.apiKeyId ?? null;
    const check: PrincipalCheck = { now: Date.now(), ipRemaining, user: userKey === null ? null : policy.user, tenant: policy.tenant, tenantId: principal.tenantId };
    const userHits = check.user && userKey !== null ? check.user.counter.increment(userKey, windowStartOf(check.user, check.now)) : 0;
    let tenantPending: Promise<number> | null = null;
    if (typeof userHits === 'number') {
      if (check.user && userHits > check.user.max) return done(refuse(reply, check.user, check.now));
      const tenantHits = countTenant(check);
      if (typeof tenantHits === 'number') return done(judgePrincipal(reply, check, userHits, tenantHits));
      tenantPending = tenantHits;
    }
    // A shared store answered with a promise: the same steps, awaited.
    settlePrincipal(reply, check, userHits, tenantPending).then(done, (error: unknown) => admitOnStoreFailure(request, error, done));
  };
}

interface PrincipalCheck {
  now: number;
  ipRemaining: number;
  user: Limit | null;
  tenant: Limit | null;
  tenantId: string;
}

function countTenant(check: PrincipalCheck): number | Promise<number> {
  return check.tenant ? check.tenant.counter.increment(check.tenantId, windowStartOf(check.tenant, check.now)) : 0;
}

async function settlePrincipal(reply: FastifyReply, check: PrincipalCheck, userPending: number | Promise<number>, tenantPending: Promise<number> | null): Promise<AppError | undefined> {
  const userHits = await userPending;
  if (check.user && userHits > check.user.max) return refuse(reply, check.user, check.now);
  const tenantHits = await (tenantPending ?? countTenant(check));
  return judgePrincipal(reply, check, userHits, tenantHits);
}

function judgePrincipal(reply: FastifyReply, check: PrincipalCheck, userHits: number, tenantHits: number): AppError | undefined {
  const { user, tenant, now, ipRemaining } = check;
  if (tenant && tenantHits > tenant.max) return refuse(reply, tenant, now);
  const userRemaining = user ? user.max - userHits : Number.POSITIVE_INFINITY;
  const tenantRemaining = tenant ? tenant.max - tenantHits : Number.POSITIVE_INFINITY;
  // The headers describe the limit closest to refusing (the IP's, set earlier, unless one is tighter).
  if (user && userRemaining <= tenantRemaining && userRemaining < ipRemaining) setLimitHeaders(reply, user, userRemaining, now);
  else if (tenant && tenantRemaining < userRemaining && tenantRemaining < ipRemaining) setLimitHeaders(reply, tenant, tenantRemaining, now);
  return undefined;
}

/** A store that fails (a shared one unreachable) admits the request: limits protect, they must not take the API down. */
function admitOnStoreFailure(request: FastifyRequest, error: unknown, done: HookHandlerDoneFunction): void {
  request.log.warn({ err: error }, 'rate-limit store failed; request admitted');
  done();
}

/**
 * The counting key of an IPv6 client: its /64 prefix (one household or host gets one subnet), made with
 * string work only (ip-address, which @fastify/rate-limit uses, cost ~10 µs a request, measured).
 */
export function ipv6Prefix(ip: string): string {
  const zone = ip.indexOf('%');
  const address = (zone === -1 ? ip : ip.slice(0, zone)).toLowerCase();
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7); // IPv4-mapped
  const gap = address.indexOf('::');
  let groups: string[];
  if (gap === -1) groups = address.split(':');
  else {
    const head = gap === 0 ? [] : address.slice(0, gap).split(':');
    const tail = address.slice(gap + 2) === '' ? [] : address.slice(gap + 2).split(':');
    const tailWidth = tail.length + (tail.at(-1)?.includes('.') ? 1 : 0); // an embedded IPv4 fills two groups
    groups = [...head, ...Array<string>(Math.max(0, 8 - head.length - tailWidth)).fill('0'), ...tail];
  }
  let prefix = '';
  for (let index = 0; index < 4; index++) prefix += `${(Number.parseInt(groups[index] ?? '0', 16) || 0).toString(16)}:`;
  return `${prefix}:/64`;
}

function windowStartOf(limit: Limit, now: number): number {
  return now - (now % limit.windowMs);
}

function secondsToReset(limit: Limit, now: number): number {
  return Math.max(1, Math.ceil((windowStartOf(limit, now) + limit.windowMs - now) / 1000));
}

/** RateLimit-Limit, -Remaining and -Reset (delta seconds), as in draft-ietf-httpapi-ratelimit-headers. */
function setLimitHeaders(reply: FastifyReply, limit: Limit, remaining: number, now: number): void {
  reply.header('ratelimit-limit', limit.max).header('ratelimit-remaining', Math.max(0, remaining)).header('ratelimit-reset', secondsToReset(limit, now));
}

function refuse(reply: FastifyReply, limit: Limit, now: number): AppError {
  const retryAfter = secondsToReset(limit, now);
  setLimitHeaders(reply, limit, 0, now);
  reply.header('retry-after', retryAfter);
  return rateLimitExceeded(limit.scope, retryAfter);
}

function appendHook(existing: RouteOptions['onRequest'], hook: onRequestHookHandler): onRequestHookHandler[] {
  if (Array.isArray(existing)) return [...(existing as onRequestHookHandler[]), hook];
  return existing ? [existing as onRequestHookHandler, hook] : [hook];
}
