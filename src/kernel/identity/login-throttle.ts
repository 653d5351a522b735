/**
 * Brute-force throttling of password logins, per account (normalized e-mail, known or not, so the
 * answer reveals nothing) and per client IP. After `freeAttempts` consecutive failures an account
 * waits a delay that doubles with every further failure; at `lockoutAfter` failures it is locked for
 * `lockoutSeconds`. Only password login is throttled: password reset stays open (it proves control
 * of the mailbox and clears the counter), so an attacker cannot lock a victim out of recovery.
 * Glossary: store = where the counts live (this process, or Redis shared by every node:
 * login-throttle.redis.ts); the rules here derive every wait from the counts, so stores only count.
 */
import { tooManyAttempts } from './identity.errors.ts';

export interface ThrottleOptions {
  freeAttempts: number;
  lockoutAfter: number;
  lockoutSeconds: number;
  maxDelaySeconds: number;
  /** Failures per IP within the window before that IP is refused. */
  ipFailuresPerWindow: number;
  ipWindowSeconds: number;
  /** Default: in this process (createMemoryThrottleStore). */
  store?: LoginThrottleStore;
  /** A failed store admits the attempt (fail open, see docs/operations.md); this hears of it. */
  onStoreFailure?: (error: unknown) => void;
  now?: () => number;
}

/** What a store remembers: an account's consecutive failures, an IP's failures in its current window. */
export interface ThrottleState {
  account?: { failures: number; lastFailureAt: number } | undefined;
  ip?: { failures: number; windowStart: number } | undefined;
}

/** One question to a store. An IP window starts at its first failure; an account is forgotten after `accountRetainMs` without one. */
export interface ThrottleQuery {
  account: string;
  ip: string;
  now: number;
  ipWindowMs: number;
  accountRetainMs: number;
}

export interface LoginThrottleStore {
  /** The state of the account and the IP (an ended IP window and a forgotten account read as undefined). */
  read(query: ThrottleQuery): ThrottleState | Promise<ThrottleState>;
  /** Counts one failure of both, atomically, and answers the state after it. */
  addFailure(query: ThrottleQuery): ThrottleState | Promise<ThrottleState>;
  /** Forgets the account's failures (the IP's stay). */
  clear(account: string): void | Promise<void>;
}

export interface LoginThrottle {
  /** Throws identity.too_many_attempts while the account or the IP must wait. */
  check(account: string, ip: string): Promise<void>;
  /** Counts a failure; `lockedSeconds` is set when this failure started a lockout. */
  recordFailure(account: string, ip: string): Promise<{ lockedSeconds?: number }>;
  /** A successful login or a completed password reset clears the account's failures. */
  recordSuccess(account: string): Promise<void>;
}

const dayMs = 86_400_000;

export function createLoginThrottle(options: ThrottleOptions): LoginThrottle {
  const now = options.now ?? Date.now;
  const store = options.store ?? createMemoryThrottleStore();
  const ipWindowMs = options.ipWindowSeconds * 1000;
  // Failures of an account idle for a day are forgotten, never while it is still locked.
  const accountRetainMs = Math.max(dayMs, options.lockoutSeconds * 1000, options.maxDelaySeconds * 1000);
  const query = (account: string, ip: string): ThrottleQuery => ({ account, ip, now: now(), ipWindowMs, accountRetainMs });

  /** When the account may try again, derived from its failures: the same answer on every node. */
  const blockedUntil = (state: ThrottleState): number => {
    if (!state.account) return 0;
    const { failures, lastFailureAt } = state.account;
    if (failures >= options.lockoutAfter) return lastFailureAt + options.lockoutSeconds * 1000;
    const beyond = failures - options.freeAttempts;
    return beyond >= 0 ? lastFailureAt + Math.min(2 ** beyond, options.maxDelaySeconds) * 1000 : 0;
  };

  /** Fail open: a lost store must not lock every user out (the per-IP route limit still applies). */
  const orAdmit = async <T>(work: () => T | Promise<T>, fallback: T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      options.onStoreFailure?.(error);
      return fallback;
    }
  };

  return {
    async check(account, ip) {
      const asked = query(account, ip);
      const state = await orAdmit(() => store.read(asked), {});
      const wait = Math.ceil((blockedUntil(state) - asked.now) / 1000);
      if (wait > 0) throw tooManyAttempts(wait);
      if (state.ip && state.ip.failures >= options.ipFailuresPerWindow) {
        throw tooManyAttempts(Math.max(1, Math.ceil((state.ip.windowStart + ipWindowMs - asked.now) / 1000)));
      }
    },
    async recordFailure(account, ip) {
      const state = await orAdmit(() => store.addFailure(query(account, ip)), {});
      return (state.account?.failures ?? 0) >= options.lockoutAfter ? { lockedSeconds: options.lockoutSeconds } : {};
    },
    async recordSuccess(account) {
      await orAdmit(() => store.clear(account), undefined);
    },
  };
}

/** Counts in this process: several nodes each keep their own (createRedisThrottleStore shares them). */
export function createMemoryThrottleStore(): LoginThrottleStore {
  const accounts = new Map<string, { failures: number; lastFailureAt: number }>();
  const ips = new Map<string, { failures: number; windowStart: number }>();
  let writes = 0;
  const accountOf = (q: ThrottleQuery) => {
    const entry = accounts.get(q.account);
    return entry && q.now - entry.lastFailureAt < q.accountRetainMs ? entry : undefined;
  };
  const ipOf = (q: ThrottleQuery) => {
    const entry = ips.get(q.ip);
    return entry && q.now - entry.windowStart < q.ipWindowMs ? entry : undefined;
  };
  const forgetOld = (q: ThrottleQuery) => {
    for (const [key, entry] of accounts) if (q.now - entry.lastFailureAt >= q.accountRetainMs) accounts.delete(key);
    for (const [key, entry] of ips) if (q.now - entry.windowStart >= q.ipWindowMs) ips.delete(key);
  };
  return {
    read: (q) => ({ account: accountOf(q), ip: ipOf(q) }),
    addFailure(q) {
      // Bounded memory: forgotten entries are dropped on every 1,000th write.
      if (++writes % 1000 === 0) forgetOld(q);
      const account = { failures: (accountOf(q)?.failures ?? 0) + 1, lastFailureAt: q.now };
      accounts.set(q.account, account);
      const current = ipOf(q);
      const ip = current ? { failures: current.failures + 1, windowStart: current.windowStart } : { failures: 1, windowStart: q.now };
      ips.set(q.ip, ip);
      return { account, ip };
    },
    clear(account) {
      accounts.delete(account);
    },
  };
}
