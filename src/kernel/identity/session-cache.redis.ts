/**
 * Session evictions shared by every node: each node keeps its own cache (session-cache.ts), applies
 * an eviction locally and publishes it on a Redis channel; every node applies what it hears, so a
 * revocation is refused at once everywhere. While the subscription is down a node may miss
 * evictions: its cache then falls back to the per-node bound (IDENTITY_SESSION_CACHE_MS), and it is
 * emptied when the subscription is back.
 */
import type { ChannelListener, PublishClient } from '../redis/index.ts';
import type { SessionCache } from './session-cache.ts';

export const sessionEvictionChannel = 'tenantry:identity:session-evictions';

type Eviction = { forget: [tenantId: string, sessionId: string] } | { forgetUserIn: [tenantId: string, userId: string] } | { forgetUser: [userId: string] };

export interface EvictionBus {
  client: PublishClient;
  subscribe(channel: string, listener: ChannelListener): void;
}

export interface SharedSessionCacheOptions {
  /** A publish that failed (the eviction stays local); default: ignored. */
  onPublishFailure?: (error: unknown) => void;
  channel?: string;
}

/** Wraps a node's cache: evictions are applied here and published to every node sharing the bus. */
export function shareSessionCache(local: SessionCache, bus: EvictionBus, options: SharedSessionCacheOptions = {}): SessionCache {
  const channel = options.channel ?? sessionEvictionChannel;
  const apply = (eviction: Eviction) => {
    if ('forget' in eviction) local.forget(...eviction.forget);
    else if ('forgetUserIn' in eviction) local.forgetUserIn(...eviction.forgetUserIn);
    else local.forgetUser(...eviction.forgetUser);
  };
  bus.subscribe(channel, {
    message(text) {
      const eviction = parseEviction(text);
      if (eviction) apply(eviction);
    },
    // Down: evictions may be missed from now on; up: some may have been. Either way, start afresh.
    live: () => local.clear(),
  });
  const publish = (eviction: Eviction) => {
    apply(eviction);
    bus.client.publish(channel, JSON.stringify(eviction)).catch((error: unknown) => options.onPublishFailure?.(error));
  };
  return {
    get: local.get,
    version: local.version,
    set: local.set,
    clear: local.clear,
    forget: (tenantId, sessionId) => publish({ forget: [tenantId, sessionId] }),
    forgetUserIn: (tenantId, userId) => publish({ forgetUserIn: [tenantId, userId] }),
    forgetUser: (userId) => publish({ forgetUser: [userId] }),
  };
}

const isStrings = (value: unknown, length: number): value is string[] => Array.isArray(value) && value.length === length && value.every((item) => typeof item === 'string');

/** A message from the channel, or undefined when it is not an eviction (another version, noise). */
function parseEviction(text: string): Eviction | undefined {
  let message: Record<string, unknown>;
  try {
    message = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null) return undefined;
  if (isStrings(message.forget, 2)) return { forget: [message.forget[0]!, message.forget[1]!] };
  if (isStrings(message.forgetUserIn, 2)) return { forgetUserIn: [message.forgetUserIn[0]!, message.forgetUserIn[1]!] };
  if (isStrings(message.forgetUser, 1)) return { forgetUser: [message.forgetUser[0]!] };
  return undefined;
}
