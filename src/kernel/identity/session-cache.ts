/**
 * A short per-node memory of live sessions, so an authenticated request does not always pay a
 * database transaction. Revocation on this node evicts at once; on another node it takes effect
 * within `ttlMs` (IDENTITY_SESSION_CACHE_MS; 0 disables the cache).
 */
export interface CachedSession {
  userId: string;
  roles: string[];
}

export function createSessionCache(ttlMs: number, now: () => number = Date.now) {
  const entries = new Map<string, { value: CachedSession; expires: number }>();
  const key = (tenantId: string, sessionId: string) => `${tenantId}:${sessionId}`;
  return {
    get(tenantId: string, sessionId: string): CachedSession | undefined {
      const hit = entries.get(key(tenantId, sessionId));
      if (!hit) return undefined;
      if (hit.expires > now()) return hit.value;
      entries.delete(key(tenantId, sessionId));
      return undefined;
    },
    set(tenantId: string, sessionId: string, value: CachedSession): void {
      if (ttlMs <= 0) return;
      if (entries.size >= 100_000) entries.clear();
      entries.set(key(tenantId, sessionId), { value, expires: now() + ttlMs });
    },
    forget(tenantId: string, sessionId: string): void {
      entries.delete(key(tenantId, sessionId));
    },
    /** Forgets every cached session of a user in one tenant (role change, removal): a scan, for rare admin work. */
    forgetUserIn(tenantId: string, userId: string): void {
      const prefix = `${tenantId}:`;
      for (const [name, entry] of entries) if (entry.value.userId === userId && name.startsWith(prefix)) entries.delete(name);
    },
    /** Drops every cached session of a user (password reset or change): rare, so a scan is fine. */
    forgetUser(userId: string): void {
      for (const [entryKey, entry] of entries) if (entry.value.userId === userId) entries.delete(entryKey);
    },
  };
}

export type SessionCache = ReturnType<typeof createSessionCache>;
