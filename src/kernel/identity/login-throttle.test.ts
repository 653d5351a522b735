import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/index.ts';
import { createLoginThrottle, createMemoryThrottleStore, type LoginThrottleStore, type ThrottleOptions } from './login-throttle.ts';

const options: ThrottleOptions = { freeAttempts: 2, lockoutAfter: 5, lockoutSeconds: 900, maxDelaySeconds: 300, ipFailuresPerWindow: 8, ipWindowSeconds: 900 };

function clock(start = 1_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

/** The retryAfter of the refusal, or 0 when the attempt may go ahead. */
async function waitOf(check: Promise<void>): Promise<number> {
  try {
    await check;
    return 0;
  } catch (error) {
    if (!isAppError(error) || error.code !== 'identity.too_many_attempts') throw error;
    return Number(error.extensions?.retryAfter);
  }
}

describe('login throttle', () => {
  it('lets the free attempts through, then doubles the delay, then locks the account', async () => {
    const time = clock();
    const throttle = createLoginThrottle({ ...options, now: time.now });
    const waits: number[] = [];
    const locks: (number | undefined)[] = [];
    for (let failure = 1; failure <= 5; failure++) {
      locks.push((await throttle.recordFailure('ada@example.com', '198.51.100.1')).lockedSeconds);
      const wait = await waitOf(throttle.check('ada@example.com', '198.51.100.1'));
      waits.push(wait);
      if (failure < 5) time.advance(wait * 1000); // the delay is served before the next attempt
    }
    expect(waits).toEqual([0, 1, 2, 4, 900]);
    expect(locks).toEqual([undefined, undefined, undefined, undefined, 900]);
    // Another account from the same address is not held up.
    expect(await waitOf(throttle.check('bob@example.com', '198.51.100.1'))).toBe(0);
    time.advance(900_000);
    expect(await waitOf(throttle.check('ada@example.com', '198.51.100.1'))).toBe(0);
  });

  it('clears an account on success, and forgets one idle for a day', async () => {
    const time = clock();
    const throttle = createLoginThrottle({ ...options, now: time.now });
    for (let failure = 0; failure < 3; failure++) await throttle.recordFailure('ada@example.com', '198.51.100.2');
    expect(await waitOf(throttle.check('ada@example.com', '198.51.100.2'))).toBeGreaterThan(0);
    await throttle.recordSuccess('ada@example.com');
    expect(await waitOf(throttle.check('ada@example.com', '198.51.100.2'))).toBe(0);
    for (let failure = 0; failure < 3; failure++) await throttle.recordFailure('ada@example.com', '198.51.100.3');
    time.advance(86_400_000);
    await throttle.recordFailure('ada@example.com', '198.51.100.3');
    expect(await waitOf(throttle.check('ada@example.com', '198.51.100.3'))).toBe(0); // one failure since: free again
  });

  it('refuses an address after its failures in one window, across accounts, until the window ends', async () => {
    const time = clock();
    const throttle = createLoginThrottle({ ...options, now: time.now });
    for (let failure = 0; failure < 8; failure++) await throttle.recordFailure(`user-${failure}@example.com`, '198.51.100.4');
    expect(await waitOf(throttle.check('new@example.com', '198.51.100.4'))).toBe(900);
    expect(await waitOf(throttle.check('new@example.com', '198.51.100.5'))).toBe(0);
    time.advance(600_000);
    expect(await waitOf(throttle.check('new@example.com', '198.51.100.4'))).toBe(300);
    time.advance(300_000);
    expect(await waitOf(throttle.check('new@example.com', '198.51.100.4'))).toBe(0);
  });

  it('admits the attempt and reports it when its store fails (fail open)', async () => {
    const broken: LoginThrottleStore = {
      read: () => Promise.reject(new Error('redis down')),
      addFailure: () => Promise.reject(new Error('redis down')),
      clear: () => Promise.reject(new Error('redis down')),
    };
    const failures: unknown[] = [];
    const throttle = createLoginThrottle({ ...options, store: broken, onStoreFailure: (error) => failures.push(error) });
    await expect(throttle.check('ada@example.com', '198.51.100.6')).resolves.toBeUndefined();
    await expect(throttle.recordFailure('ada@example.com', '198.51.100.6')).resolves.toEqual({});
    await expect(throttle.recordSuccess('ada@example.com')).resolves.toBeUndefined();
    expect(failures).toHaveLength(3);
  });

  it('keeps the memory store bounded: forgotten entries are dropped as new ones come', () => {
    const store = createMemoryThrottleStore();
    const query = (index: number, now: number) => ({ account: `a${index}`, ip: `ip${index}`, now, ipWindowMs: 1000, accountRetainMs: 1000 });
    for (let index = 0; index < 999; index++) store.addFailure(query(index, 0));
    store.addFailure(query(999, 5000)); // the 1,000th write sweeps what is older than its horizon
    expect(store.read(query(0, 5000))).toEqual({ account: undefined, ip: undefined });
    expect(store.read(query(999, 5000))).toEqual({ account: { failures: 1, lastFailureAt: 5000 }, ip: { failures: 1, windowStart: 5000 } });
  });
});
