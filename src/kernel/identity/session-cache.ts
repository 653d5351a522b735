/**
 * A short per-node memory of live sessions, so an authenticated request does not always pay a
 * database transaction. Revocation on this node evicts at once; on another node it takes effect at
 * once when the nodes share Redis (session-cache.redis.ts), else within `ttlMs`
 * (IDENTITY_SESSION_CACHE_MS; 0 disables the cache).
 */
export interface CachedSession {
  userId: string;
  roles: string[];
}

export interface SessionCache {
  get(tenantId: string, sessionId: string): CachedSession | undefined;
  /**
   * Counts evictions: read it before a database check and pass it to `set`, so the result of a check
   * that raced an eviction (the session revoked meanwhile) is not cached.
   */
  version(): number;
  set(tenantId: string, sessionId: string, value: CachedSession, since?: number): void;
  forget(tenantId: string, sessionId: string): void;
  /** Forgets every cached session of a user in one tenant (role change, removal): a scan, for rare admin work. */
  forgetUserIn(tenantId: string, userId: string): void;
  /** Drops every cached session of a user (password reset or change): rare, so a scan is fine. */
  forgetUser(userId: string): void;
  /** Drops everything (evictions from other nodes may have been missed). */
  clear(): void;
}

export function createSessionCache(ttlMs: number, now: () => number = Date.now): SessionCache {
  const entries = new Map<string, { value: CachedSession; expires: number }>();
  const key = (tenantId: string, sessionId: string) => `${tenantId}:${sessionId}`;
  let evictions = 0;
  return {
    get(tenantId, sessionId) {
      const hit = entries.get(key(tenantId, sessionId));
      if (!hit) return undefined;
      if (hit.expires > now()) return hit.value;
      entries.delete(key(tenantId, sessionId));
      return undefined;
    },
    version: () => evictions,
    set(tenantId, sessionId, value, since) {
      if (ttlMs <= 0 || (since !== undefined && since !== evictions)) return;
      if (entries.size >= 100_000) entries.clear();
      entries.set(key(tenantId, sessionId), { value, expires: now() + ttlMs });
    },
    forget(tenantId, sessionId) {
      evictions++;
      entries.delete(key(tenantId, sessionId));
    },
    forgetUserIn(tenantId, userId) {
      evictions++;
      const prefix = `${tenantId}:`;
      for (const [name, entry] of entries) if (entry.value.userId === userId && name.startsWith(prefix)) entries.delete(name);
    },
    forgetUser(userId) {
      evictions++;
      for (const [entryKey, entry] of entries) if (entry.value.userId === userId) entries.delete(entryKey);
    },
    clear() {
      evictions++;
      entries.clear();
    },
  };
}
