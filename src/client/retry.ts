/** Sending a request again as is, with exponential back-off, while its failure is transient. */
import type { RetryPolicy } from './sync-client.contract.ts';
import { SyncClientError } from './sync-client.errors.ts';

export const defaultRetry: RetryPolicy = { attempts: 4, baseDelayMs: 250 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `send` until it succeeds, fails for good, or has used up the policy's attempts. */
export async function withRetry<T>(policy: RetryPolicy, send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof SyncClientError) || !error.retryable || attempt >= policy.attempts) throw error;
      await sleep(policy.baseDelayMs * 2 ** (attempt - 1));
    }
  }
}
