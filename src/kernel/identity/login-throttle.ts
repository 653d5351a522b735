/**
 * Brute-force throttling of password logins, per account (normalized e-mail, known or not, so the
 * answer reveals nothing) and per client IP. After `freeAttempts` consecutive failures an account
 * waits a delay that doubles with every further failure; at `lockoutAfter` failures it is locked for
 * `lockoutSeconds`. Only password login is throttled: password reset stays open (it proves control
 * of the mailbox and clears the counter), so an attacker cannot lock a victim out of recovery.
 * In memory, per process: several nodes each keep their own counts (Redis when configured: later).
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
  now?: () => number;
}

interface Counter {
  failures: number;
  blockedUntil: number;
  touched: number;
}

export function createLoginThrottle(options: ThrottleOptions) {
  const now = options.now ?? Date.now;
  const accounts = new Map<string, Counter>();
  const ips = new Map<string, { failures: number; windowStart: number }>();
  const forgetOld = () => {
    // Bounded memory: entries idle for a day are dropped (checked on every 1,000th write).
    const horizon = now() - 86_400_000;
    for (const [key, counter] of accounts) if (counter.touched < horizon && counter.blockedUntil < now()) accounts.delete(key);
    for (const [key, entry] of ips) if (entry.windowStart < horizon) ips.delete(key);
  };
  let writes = 0;

  return {
    /** Throws identity.too_many_attempts while the account or the IP must wait. */
    check(account: string, ip: string): void {
      const counter = accounts.get(account);
      const wait = counter ? Math.ceil((counter.blockedUntil - now()) / 1000) : 0;
      if (wait > 0) throw tooManyAttempts(wait);
      const entry = ips.get(ip);
      if (entry && now() - entry.windowStart < options.ipWindowSeconds * 1000 && entry.failures >= options.ipFailuresPerWindow) {
        throw tooManyAttempts(Math.ceil((entry.windowStart + options.ipWindowSeconds * 1000 - now()) / 1000));
      }
    },
    /** Counts a failure; `lockedSeconds` is set when this failure started a lockout. */
    recordFailure(account: string, ip: string): { lockedSeconds?: number } {
      if (++writes % 1000 === 0) forgetOld();
      const counter = accounts.get(account) ?? { failures: 0, blockedUntil: 0, touched: 0 };
      counter.failures += 1;
      counter.touched = now();
      const beyond = counter.failures - options.freeAttempts;
      const locks = counter.failures >= options.lockoutAfter;
      if (counter.failures >= options.lockoutAfter) counter.blockedUntil = now() + options.lockoutSeconds * 1000;
      else if (beyond >= 0) counter.blockedUntil = now() + Math.min(2 ** beyond, options.maxDelaySeconds) * 1000;
      accounts.set(account, counter);
      const entry = ips.get(ip);
      if (!entry || now() - entry.windowStart >= options.ipWindowSeconds * 1000) ips.set(ip, { failures: 1, windowStart: now() });
      else entry.failures += 1;
      return locks ? { lockedSeconds: options.lockoutSeconds } : {};
    },
    /** A successful login or a completed password reset clears the account's failures. */
    recordSuccess(account: string): void {
      accounts.delete(account);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
