/** A Lua script run by its SHA-1 (EVALSHA: one round trip), sent in full only when the server lacks it. */
import { createHash } from 'node:crypto';
import type { ScriptClient } from './redis.contract.ts';

export interface LuaScript {
  run(client: ScriptClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

export function defineScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(client, keys, args) {
      try {
        return await client.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        // A restarted or flushed server forgets its scripts; EVAL runs and caches it again.
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return client.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}
